// REST state for the settings page: the password, and personal API keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi, useSession, useSessionStore } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { ApiKeyList, CreatedApiKey, NewApiKey, PasswordChange } from '../../lib/types';

/** Changes the password. The server then ends every session, this one included, so it signs in again with the new one. */
export function useChangePassword() {
  const api = useApi();
  const session = useSessionStore();
  const { user } = useSession();
  return useMutation({
    mutationFn: async (body: PasswordChange) => {
      await api<void>('/api/auth/password', { method: 'POST', body });
      if (user) await session.login(user.email, body.new_password);
    },
  });
}

export function useApiKeys() {
  const api = useApi();
  // Always fetched again on opening the page: "Last used" moves as programs use the keys.
  return useQuery({ queryKey: queryKeys.apiKeys, queryFn: ({ signal }) => api<ApiKeyList>('/api/keys', { signal }), staleTime: 0 });
}

export function useCreateApiKey() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<CreatedApiKey>('/api/keys', { method: 'POST', body: { name } satisfies NewApiKey }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys }),
  });
}
