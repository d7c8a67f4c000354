// A team's month: for its admins by member and by model; for a member, their own calls by model.
import { DataTable, type Column } from '../../components/data-table';
import { capitalize, formatInt, formatUsd } from '../../lib/format';
import type { TeamUsage } from '../../lib/types';
import { ModelTable } from '../usage/model-table';

type MemberUse = TeamUsage['by_member'][number];

const MEMBER_COLUMNS: Column<MemberUse>[] = [
  { header: 'Member', rowHeader: true, className: 'member-email', cell: (m) => m.email },
  { header: 'Role', cell: (m) => capitalize(m.role) },
  { header: 'Requests', numeric: true, cell: (m) => formatInt(m.requests) },
  { header: 'Tokens', numeric: true, cell: (m) => formatInt(m.used) },
  { header: 'Cap', numeric: true, cell: (m) => (m.monthly_token_cap === null ? 'None' : formatInt(m.monthly_token_cap)) },
  { header: 'Cost', numeric: true, cell: (m) => formatUsd(m.cost_usd) },
];

export function TeamUsageSection({ usage, admin }: { usage: TeamUsage; admin: boolean }) {
  return (
    <section className="card" aria-labelledby="team-usage-title">
      <h2 id="team-usage-title">{admin ? 'Team usage' : 'Your use of the pool'}</h2>
      {admin ? (
        <>
          <h3>By member</h3>
          <DataTable
            columns={MEMBER_COLUMNS}
            rows={usage.by_member}
            rowKey={(m) => m.user_id}
            className="team-usage-table"
            scrollLabel="Team usage by member (scrolls sideways)"
          />
        </>
      ) : null}
      <h3>By model</h3>
      <ModelTable rows={usage.by_model} scrollLabel={admin ? 'Team usage by model (scrolls sideways)' : 'Your use by model (scrolls sideways)'} />
    </section>
  );
}
