// The public tiers (GET /api/tiers): what each allows, with the reader's own tier marked.
import type { ReactNode } from 'react';
import { DataTable, type Column } from '../../components/data-table';
import { capitalize, formatInt } from '../../lib/format';
import type { Tier, TierName } from '../../lib/types';
import { useTiers } from './usage-api';

export function TiersTable({
  current,
  caption = 'Tiers',
  action,
}: {
  current?: TierName | undefined;
  caption?: string;
  /** A last column, e.g. a button to buy the tier (the plans page). */
  action?: ((tier: TierName) => ReactNode) | undefined;
}) {
  const tiers = useTiers();
  if (tiers.isPending) return <p className="muted">Loading tiers…</p>;
  if (tiers.isError) return null;
  const columns: Column<Tier>[] = [
    {
      header: 'Tier',
      rowHeader: true,
      cell: (t) => (
        <>
          {capitalize(t.name)}
          {t.name === current ? <span className="badge">yours</span> : null}
        </>
      ),
    },
    { header: 'Tokens per month', numeric: true, cell: (t) => formatInt(t.monthly_tokens) },
    { header: 'Requests per minute', numeric: true, cell: (t) => formatInt(t.requests_per_minute) },
    { header: 'Models', cell: (t) => (t.models.includes('*') ? 'All models' : t.models.join(', ')) },
    ...(action ? [{ header: <span className="visually-hidden">Choose</span>, cell: (t: Tier) => action(t.name) }] : []),
  ];
  return (
    <DataTable
      className="tiers-table"
      caption={caption}
      columns={columns}
      rows={tiers.data.tiers}
      rowKey={(t) => t.name}
      rowProps={(t) => (t.name === current ? { 'aria-current': 'true', className: 'current' } : {})}
    />
  );
}
