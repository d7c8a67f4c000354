// Teams: the teams I am in, with my role and my cap in each, and a form to create one (I own it).
import { useState, type FormEvent } from 'react';
import { DataTable, type Column } from '../../components/data-table';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { Icon } from '../../components/icon';
import { capitalize, formatInt } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import { Link, navigate } from '../../lib/router';
import type { Team } from '../../lib/types';
import { useCreateTeam, useTeams } from './teams-api';

const COLUMNS: Column<Team>[] = [
  { header: 'Team', rowHeader: true, cell: (t) => <Link to={`/teams/${encodeURIComponent(t.id)}`}>{t.name}</Link> },
  { header: 'Your role', cell: (t) => capitalize(t.role) },
  { header: 'Tier', cell: (t) => capitalize(t.tier) },
  { header: 'Your cap', numeric: true, cell: (t) => (t.monthly_token_cap === null ? 'None' : formatInt(t.monthly_token_cap)) },
];

export function TeamsPage() {
  const teams = useTeams();
  return (
    <main className="page">
      <h1>Teams</h1>
      <section className="card" aria-labelledby="my-teams-title">
        <h2 id="my-teams-title">Your teams</h2>
        <p className="muted">A team shares one monthly pool of tokens on its own tier; its admins may give each member a cap inside it.</p>
        {teams.isPending ? <p className="muted">Loading…</p> : null}
        <ErrorNote error={teams.error} />
        {teams.data ? (
          <DataTable
            columns={COLUMNS}
            rows={teams.data}
            rowKey={(t) => t.id}
            className="teams-table"
            empty="You are in no team yet."
            scrollLabel="Your teams"
          />
        ) : null}
      </section>
      <section className="card" aria-labelledby="new-team-title">
        <h2 id="new-team-title">Create a team</h2>
        <CreateTeamForm />
      </section>
    </main>
  );
}

function CreateTeamForm() {
  const create = useCreateTeam();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!name.trim()) {
      setError('Give the team a name.');
      return;
    }
    try {
      const team = await create.mutateAsync(name.trim());
      navigate(`/teams/${encodeURIComponent(team.id)}`);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors()['name'] ?? err.message) : undefined);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="inline-form">
      <Field label="Team name" value={name} onChange={(e) => setName(e.target.value)} error={error} maxLength={100} placeholder="e.g. Research" />
      <button type="submit" className="button primary" disabled={create.isPending}>
        <Icon name="plus" /> Create team
      </button>
      {create.error && !(create.error instanceof ApiError) ? <ErrorNote error={create.error} /> : null}
    </form>
  );
}
