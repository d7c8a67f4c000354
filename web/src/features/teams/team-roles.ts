// What a role may do in a team, as the server decides it (server/src/features/teams/teams.service.ts):
// admins and the owner manage members; one removes only someone of a lower role.
import type { TeamRole } from '../../lib/types';

const RANK: Record<TeamRole, number> = { member: 0, admin: 1, owner: 2 };

export const isTeamAdmin = (role: TeamRole) => RANK[role] >= RANK.admin;

/** Whether `actor` may remove `target` (leaving is not removing: anyone but the owner may leave). */
export const canRemove = (actor: TeamRole, target: TeamRole) => isTeamAdmin(actor) && RANK[target] < RANK[actor];
