// Shared links (docs/decisions/022): the owner's link of a conversation, and the public read of one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { problemFromResponse } from '../../lib/problem';
import { queryKeys } from '../../lib/query-keys';
import type { SharedConversation, ShareLink, ShareStatus } from '../../lib/types';

const sharePath = (id: string) => `/api/conversations/${encodeURIComponent(id)}/share`;

/** The page a link opens, on this site (PUBLIC_URL may name another address than the one in use). */
export const sharedPageUrl = (token: string) => `${window.location.origin}/s/${encodeURIComponent(token)}`;

/** The conversation's link, read fresh each time the dialog opens. */
export function useShareStatus(conversationId: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.share(conversationId),
    queryFn: ({ signal }) => api<ShareStatus>(sharePath(conversationId), { signal }),
    enabled,
    staleTime: 0,
  });
}

/** Creates or updates the link ('share') or deletes it ('delete'); the answer replaces the cached link. */
export function useShareChange(conversationId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (action: 'share' | 'delete'): Promise<ShareStatus> => {
      if (action === 'delete') {
        await api<void>(sharePath(conversationId), { method: 'DELETE' });
        return { link: null };
      }
      return api<{ link: ShareLink }>(sharePath(conversationId), { method: 'PUT' });
    },
    onSuccess: (status) => queryClient.setQueryData(queryKeys.share(conversationId), status),
  });
}

/** A shared conversation, read without the session: a reader's account has nothing to do with it. */
export async function fetchSharedConversation(token: string, signal?: AbortSignal): Promise<SharedConversation> {
  const res = await fetch(`/api/shared/${encodeURIComponent(token)}`, { credentials: 'omit', headers: { accept: 'application/json' }, signal });
  if (!res.ok) throw await problemFromResponse(res);
  return (await res.json()) as SharedConversation;
}
