// REST state for the settings page: the password, and personal API keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { ApiKey, ApiKeyChange, ApiKeyList, CreatedApiKey, NewApiKey, PasswordChange } from '../../lib/types';

/** Changes the password. The server ends every other session; this one stays signed in. */
export function useChangePassword() {
  const api = useApi();
  return useMutation({ mutationFn: (body: PasswordChange) => api<void>('/api/auth/password', { method: 'POST', body }) });
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
    mutationFn: (body: NewApiKey) => api<CreatedApiKey>('/api/keys', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys }),
  });
}

/** Renames a key or changes its monthly cap or expiry (null clears them). */
export function useUpdateApiKey() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: ApiKeyChange & { id: string }) => api<ApiKey>(`/api/keys/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys }),
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
