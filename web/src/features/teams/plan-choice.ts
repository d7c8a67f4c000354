// Which plan a chat is charged to: the person's own (null) or one of their teams (its id). Each
// conversation remembers its own choice; a new conversation starts on the plan picked last. Kept
// in localStorage per user (a team's id is no secret); a team left since falls back to Personal.
import { readLocal, writeLocal } from '../../lib/storage';
import type { ModelsResponse, Team } from '../../lib/types';

const keyOf = (userId: string, conversationId: string | null) => `qc:plan:${userId}:${conversationId ?? 'last'}`;

/** The stored choice of a conversation, or the last one made for a new chat (or one never chosen for). */
export function loadPlan(userId: string, conversationId: string | null): string | null {
  return (conversationId ? readLocal(keyOf(userId, conversationId)) : null) ?? readLocal(keyOf(userId, null));
}

/** Remembers the choice for the conversation (when it has an id yet) and as the next new chat's. */
export function savePlan(userId: string, conversationId: string | null, teamId: string | null): void {
  // Personal is stored as "personal" for a conversation, so the last choice does not override it.
  if (conversationId) writeLocal(keyOf(userId, conversationId), teamId ?? 'personal');
  writeLocal(keyOf(userId, null), teamId ?? 'personal');
}

/**
 * The team a stored choice names, if the user is still in it. While the list loads the stored id
 * stands (the server refuses a team one has left with 404 anyway).
 */
export function resolvePlan(stored: string | null, teams: readonly Team[] | undefined): { teamId: string | null; team: Team | null } {
  const id = stored === 'personal' ? null : stored;
  if (!teams) return { teamId: id, team: null };
  const team = teams.find((t) => t.id === id) ?? null;
  return { teamId: team?.id ?? null, team };
}

/** The models a plan may use: on a team's plan the team's tier decides them (docs/decisions/021). */
export function modelsOnPlan(models: ModelsResponse | undefined, team: Pick<Team, 'tier'> | null) {
  if (!models) return { allowed: [], defaultModel: null };
  if (!team) return { allowed: models.models, defaultModel: models.default_model };
  const allowed = [...models.models, ...models.other_models].filter((m) => m.tiers.includes(team.tier));
  const defaultModel = allowed.some((m) => m.id === models.default_model) ? models.default_model : (allowed[0]?.id ?? null);
  return { allowed, defaultModel };
}
