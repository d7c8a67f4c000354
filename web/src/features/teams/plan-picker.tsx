// "Plan": the chat is charged to Personal (one's own tier) or to a team's pool. Shown only to people
// in a team; the choice is remembered per conversation (plan-choice.ts).
import { useState } from 'react';
import type { Team } from '../../lib/types';
import { loadPlan, resolvePlan, savePlan } from './plan-choice';
import { useTeams } from './teams-api';

export interface Plan {
  teams: readonly Team[];
  /** The team charged, or null for the personal plan. */
  teamId: string | null;
  team: Team | null;
  /** Picks a plan for the conversation (null while it has no id yet) and for the next new chat. */
  choose: (teamId: string | null, conversationId: string | null) => void;
}

export function usePlan(userId: string, conversationId: string | null): Plan {
  const teams = useTeams();
  const [stored, setStored] = useState(() => loadPlan(userId, conversationId));
  const { teamId, team } = resolvePlan(stored, teams.data);
  const choose = (id: string | null, conversation: string | null) => {
    setStored(id ?? 'personal');
    savePlan(userId, conversation, id);
  };
  return { teams: teams.data ?? [], teamId, team, choose };
}

export function PlanPicker({ plan, disabled, onChange }: { plan: Plan; disabled: boolean; onChange: (teamId: string | null) => void }) {
  if (plan.teams.length === 0) return null;
  return (
    <div className="plan-picker">
      <label htmlFor="plan-select">Plan</label>
      <select id="plan-select" value={plan.teamId ?? ''} disabled={disabled} onChange={(e) => onChange(e.target.value || null)}>
        <PlanOptions teams={plan.teams} />
      </select>
    </div>
  );
}

/** The options of a plan picker: Personal (value "") and each team (its id). */
export function PlanOptions({ teams }: { teams: readonly Team[] }) {
  return (
    <>
      <option value="">Personal</option>
      {teams.map((t) => (
        <option key={t.id} value={t.id}>
          Team: {t.name}
        </option>
      ))}
    </>
  );
}
