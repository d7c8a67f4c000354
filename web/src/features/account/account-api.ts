// REST state for account recovery and control: the sign-in options, the verification mail, the
// session list, and deleting the account.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthOptionsResponse } from '../../../../server/src/features/accounts/accounts.schemas';
import type { SessionsResponse } from '../../../../server/src/features/auth/sessions.schemas';
import { useApi, useSessionStore } from '../../lib/app-context';

export type AuthOptions = AuthOptionsResponse;
export type SessionList = SessionsResponse;

const keys = { options: ['auth-options'] as const, sessions: ['sessions'] as const };

/** A POST that needs no session (the reset and verification links); errors as ApiError. */
export function usePublicPost() {
  const api = useApi();
  return (path: string, body: unknown) => api<unknown>(path, { method: 'POST', body });
}

export function useAuthOptions() {
  const api = useApi();
  return useQuery({ queryKey: keys.options, queryFn: ({ signal }) => api<AuthOptions>('/api/auth/options', { signal }), staleTime: Infinity });
}

export function useResendVerification() {
  const api = useApi();
  return useMutation({ mutationFn: () => api<{ detail: string }>('/api/auth/verify-email/resend', { method: 'POST' }) });
}

export function useSessions() {
  const api = useApi();
  return useQuery({ queryKey: keys.sessions, queryFn: ({ signal }) => api<SessionList>('/api/auth/sessions', { signal }), staleTime: 0 });
}

/** Ends one session by id, or (id null) every session but this one. */
export function useEndSession() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string | null) => api<void>(id ? `/api/auth/sessions/${encodeURIComponent(id)}` : '/api/auth/sessions', { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.sessions }),
  });
}

/** Deletes the account; then this browser's session is over too. */
export function useDeleteAccount() {
  const api = useApi();
  const session = useSessionStore();
  return useMutation({
    mutationFn: async (password: string) => {
      await api<void>('/api/auth/account', { method: 'DELETE', body: { password } });
      await session.logout();
    },
  });
}
