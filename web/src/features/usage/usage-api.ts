// REST state for usage: a month's report, the public tiers, and the user's own cap.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { TiersResponse, UsageCap, UsageReport } from '../../lib/types';

export function useUsage(month: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.usage.month(month),
    queryFn: ({ signal }) => api<UsageReport>('/api/usage', { query: { month }, signal }),
    staleTime: 5_000,
  });
}

export function useTiers() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.tiers, queryFn: ({ signal }) => api<TiersResponse>('/api/tiers', { signal }), staleTime: 300_000 });
}

/** Sets the monthly cap (null removes it); done once every month's report has been fetched again. */
export function useSetUsageCap() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (cap: number | null) => api<UsageReport>('/api/usage/cap', { method: 'PUT', body: { monthly_token_cap: cap } satisfies UsageCap }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.usage.all }),
  });
}
