// Every table's row count and a hash of its rows, to show that requests the server refused changed
// nothing. Two things change by design on a refusal and are left out: rate_limit_counters (counting
// refused attempts is what they are for) and api_keys.last_used_at (a key that authenticates was
// used, whatever became of the request's body).
import type { Db } from '../../src/platform/db/db.js';

const SKIPPED_TABLES = new Set(['rate_limit_counters']);
const SKIPPED_COLUMNS: Record<string, string[]> = { api_keys: ['last_used_at'] };

export type Snapshot = Record<string, string>;

export async function tablesOf(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name).filter((t) => !SKIPPED_TABLES.has(t));
}

/** One statement for all tables: count and an order-free sum of row hashes per table. */
export function snapshotQuery(tables: string[]): string {
  return tables
    .map((table) => {
      const skipped = (SKIPPED_COLUMNS[table] ?? []).map((c) => ` - '${c}'`).join('');
      return `SELECT '${table}' AS t, count(*)::text || ':' || coalesce(sum(hashtextextended((to_jsonb(x)${skipped})::text, 0)), 0)::text AS h FROM "${table}" x`;
    })
    .join(' UNION ALL ');
}

export async function snapshot(db: Db, query: string): Promise<Snapshot> {
  const { rows } = await db.query<{ t: string; h: string }>(query);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  return Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);
}
