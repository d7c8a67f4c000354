// REST state for the administration page: users a page at a time, a month's totals, and changes
// to a user (after which every admin view is fetched again: a tier change moves the totals too).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { AdminUsage, AdminUserPatch, AdminUsersPage, User } from '../../lib/types';

export const PAGE_SIZE = 20;

export function useAdminUsers(q: string, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.admin.users(q, offset),
    queryFn: ({ signal }) => api<AdminUsersPage>('/api/admin/users', { query: { q, limit: PAGE_SIZE, offset }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useAdminUsage(month: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.admin.usage(month),
    queryFn: ({ signal }) => api<AdminUsage>('/api/admin/usage', { query: { month }, signal }),
  });
}

export function useUpdateUser() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: AdminUserPatch & { id: string }) => api<User>(`/api/admin/users/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.admin.all }),
  });
}
