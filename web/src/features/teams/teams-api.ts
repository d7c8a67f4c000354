// REST state for teams (docs/decisions/021): my teams, one team with its members and invitations,
// its month, and every change a member, an admin or the owner can make. Each change fetches every
// team query again (the list, the picker in the chat and the team's page read them).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Api } from '../../lib/api';
import { useApi } from '../../lib/app-context';
import { queryKeys } from '../../lib/query-keys';
import type { CreatedInvitation, Team, TeamDetail, TeamMember, TeamUsage } from '../../lib/types';

const teamPath = (id: string, rest = '') => `/api/teams/${encodeURIComponent(id)}${rest}`;

export function useTeams() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.teams.list,
    queryFn: ({ signal }) => api<{ items: Team[] }>('/api/teams', { signal }).then((r) => r.items),
    staleTime: 30_000,
  });
}

export function useTeam(id: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.teams.detail(id), queryFn: ({ signal }) => api<TeamDetail>(teamPath(id), { signal }), staleTime: 5_000 });
}

export function useTeamUsage(id: string, month: string) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.teams.usage(id, month),
    queryFn: ({ signal }) => api<TeamUsage>(teamPath(id, '/usage'), { query: { month }, signal }),
    staleTime: 5_000,
  });
}

/**
 * A change to teams; every team query is fetched again once it is done, or only the list after
 * leaving or deleting a team (its own queries would answer 404 now: the page goes to the list).
 */
function useTeamChange<Input, Output>(run: (api: Api, input: Input) => Promise<Output>, refetch: 'all' | 'list' = 'all') {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Input) => run(api, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: refetch === 'all' ? queryKeys.teams.all : queryKeys.teams.list }),
  });
}

export const useCreateTeam = () => useTeamChange((api, name: string) => api<Team>('/api/teams', { method: 'POST', body: { name } }));

export const useJoinTeam = () => useTeamChange((api, token: string) => api<Team>('/api/teams/join', { method: 'POST', body: { token } }));

export const useInvite = (teamId: string) =>
  useTeamChange((api, body: { email: string; role: 'admin' | 'member' }) => api<CreatedInvitation>(teamPath(teamId, '/invitations'), { method: 'POST', body }));

export const useWithdrawInvitation = (teamId: string) =>
  useTeamChange((api, id: string) => api<void>(teamPath(teamId, `/invitations/${encodeURIComponent(id)}`), { method: 'DELETE' }));

/** A member's cap (null: the pool only) or, for the owner, their role. */
export const useUpdateMember = (teamId: string) =>
  useTeamChange((api, { userId, ...body }: { userId: string; monthly_token_cap?: number | null; role?: 'admin' | 'member' }) =>
    api<TeamMember>(teamPath(teamId, `/members/${encodeURIComponent(userId)}`), { method: 'PATCH', body }),
  );

const removeMember = (api: Api, teamId: string, userId: string) => api<void>(teamPath(teamId, `/members/${encodeURIComponent(userId)}`), { method: 'DELETE' });

export const useRemoveMember = (teamId: string) => useTeamChange((api, userId: string) => removeMember(api, teamId, userId));

export const useLeaveTeam = (teamId: string, myId: string) => useTeamChange((api) => removeMember(api, teamId, myId), 'list');

export const useTransferTeam = (teamId: string) =>
  useTeamChange((api, memberId: string) => api<TeamDetail>(teamPath(teamId, '/transfer'), { method: 'POST', body: { member_id: memberId } }));

export const useDeleteTeam = (teamId: string) => useTeamChange((api) => api<void>(teamPath(teamId), { method: 'DELETE' }), 'list');
