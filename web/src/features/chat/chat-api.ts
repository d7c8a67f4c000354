// REST state for the chat page: conversations, one conversation with its messages, models, and
// the sidebar's changes to a conversation (each refreshes the conversation lists when it settles).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Api } from '../../lib/api';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { Conversation, ConversationPage, ConversationPatch, ConversationWithMessages, ModelsResponse, StoredMessage } from '../../lib/types';
import type { ChatUIMessage } from './chat-transport';

export const PAGE_SIZE = 30;

/** The conversation list, or the archived ones, with what `q` finds in titles and messages. */
export function useConversations(q: string, archived = false) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: queryKeys.conversations.list(q, archived),
    queryFn: ({ pageParam, signal }) => api<ConversationPage>('/api/conversations', { query: { limit: PAGE_SIZE, cursor: pageParam, q, archived }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useConversation(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.conversation(id),
    queryFn: ({ signal }) => api<ConversationWithMessages>(`/api/conversations/${encodeURIComponent(id!)}`, { signal }),
    enabled: id !== null,
    // Always fresh when a conversation is opened: the chat session takes it over from there.
    gcTime: 0,
    staleTime: 0,
  });
}

export function useModels() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.models, queryFn: ({ signal }) => api<ModelsResponse>('/api/models', { signal }), staleTime: 60_000 });
}

/** A change to one conversation; the lists are fetched again whether it worked or not. */
function useConversationChange<Vars>(send: (api: Api, vars: Vars) => Promise<unknown>) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (vars: Vars) => send(api, vars),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all }),
  });
}

const conversationPath = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;
const patchConversation = (api: Api, id: string, body: ConversationPatch) => api<Conversation>(conversationPath(id), { method: 'PATCH', body });

export const useRenameConversation = () => useConversationChange((api, { id, title }: { id: string; title: string }) => patchConversation(api, id, { title }));
export const usePinConversation = () => useConversationChange((api, { id, pinned }: { id: string; pinned: boolean }) => patchConversation(api, id, { pinned }));
export const useArchiveConversation = () =>
  useConversationChange((api, { id, archived }: { id: string; archived: boolean }) => patchConversation(api, id, { archived }));
export const useDeleteConversation = () => useConversationChange((api, id: string) => api<void>(conversationPath(id), { method: 'DELETE' }));

/** Shows another version: the branch through that message, as the server now stores it. */
export function showVersion(api: Api, conversationId: string, messageId: string) {
  return api<ConversationWithMessages>(`${conversationPath(conversationId)}/current`, { method: 'PUT', body: { message_id: messageId } });
}

export function toUIMessages(messages: StoredMessage[]): ChatUIMessage[] {
  return messages
    .filter((m) => m.role === 'user' || m.role === 'assistant')
    .map((m) => ({
      id: m.id,
      role: m.role as 'user' | 'assistant',
      parts: [{ type: 'text' as const, text: m.content }],
      metadata: {
        status: m.status,
        model: m.model ?? undefined,
        error: m.error,
        versions: m.versions,
        ...(m.role === 'assistant' && m.input_tokens != null && m.output_tokens != null
          ? { usage: { input_tokens: m.input_tokens, output_tokens: m.output_tokens, total_tokens: m.input_tokens + m.output_tokens } }
          : {}),
      },
    }));
}
