// Snapshots by SQL: a user's rows in every table, or the whole database, as JSON text, to compare
// before and after a request byte for byte. The tables come from the catalogue, so a table added
// by a later migration is held too; one whose owner the sweeps cannot tell fails them (ownerOf)
// until it is added below.
import type { Queryable } from '../../src/platform/db/db.js';

/** Columns that name the user a row is about. */
const OWNER_COLUMNS = ['user_id', 'actor_id', 'target_user_id', 'owner_id'];
/** Tables whose rows belong to a user some other way: a SQL condition on $1, the user's id. */
const OWNED_OTHERWISE: Record<string, string> = {
  users: 'id::text = $1',
  // Counters keyed by the user's id (model calls per minute); the others are per IP or email.
  rate_limit_counters: 'position($1 in key) > 0',
  // A team's rows belong to its members.
  teams: 'id IN (SELECT team_id FROM team_members WHERE user_id::text = $1)',
  team_invitations: 'team_id IN (SELECT team_id FROM team_members WHERE user_id::text = $1)',
  team_monthly_usage: 'team_id IN (SELECT team_id FROM team_members WHERE user_id::text = $1)',
  // A key's month belongs to the key's owner.
  key_monthly_usage: 'key_id IN (SELECT id FROM api_keys WHERE user_id::text = $1)',
};
/** Tables that hold no user's data, and why. */
const NOT_USER_DATA: Record<string, string> = {
  schema_migrations: 'the applied migrations',
  billing_events: "Stripe's events as processed, keyed by Stripe's id",
  deleted_account_emails: 'keyed hashes of the addresses of accounts already deleted',
  cache_epochs: 'counts of the changes to what the key and session caches hold (docs/decisions/023)',
};

/** Left out of whole-database snapshots: refused attempts count too, which is what limits are for. */
const COUNTS_ATTEMPTS = new Set(['rate_limit_counters']);

export interface Table {
  name: string;
  columns: string[];
  /** Each column's data type, as information_schema names it (uuid, text, bigint...). */
  types: Record<string, string>;
  /** The SQL condition that selects the rows of the user $1, or undefined for NOT_USER_DATA. */
  owned?: string;
}

export async function listTables(db: Queryable): Promise<Table[]> {
  const { rows } = await db.query<{ table_name: string; columns: string[]; types: string[] }>(
    `SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns,
            array_agg(c.data_type::text ORDER BY c.ordinal_position) AS types
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      GROUP BY c.table_name ORDER BY c.table_name`,
  );
  return rows.map((r) => ({
    name: r.table_name,
    columns: r.columns,
    types: Object.fromEntries(r.columns.map((c, i) => [c, r.types[i]!])),
    owned: ownerOf(r.table_name, r.columns),
  }));
}

function ownerOf(table: string, columns: string[]): string | undefined {
  if (table in NOT_USER_DATA) return undefined;
  if (OWNED_OTHERWISE[table]) return OWNED_OTHERWISE[table];
  const owners = columns.filter((c) => OWNER_COLUMNS.includes(c));
  if (owners.length === 0) {
    throw new Error(
      `table ${table} has no column that names its user (${OWNER_COLUMNS.join(', ')}): say in server/reliability/sweeps/snapshots.ts how its rows belong to a user (OWNED_OTHERWISE) or that they belong to none (NOT_USER_DATA)`,
    );
  }
  return owners.map((c) => `${c}::text = $1`).join(' OR ');
}

/** The rows of each table that `where` selects, as JSON text per table, in one query. */
async function snapshotOf(db: Queryable, tables: Table[], where: (t: Table) => string, params: unknown[]): Promise<Record<string, string>> {
  const columns = tables.map(
    (t) => `(SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), '[]'::jsonb)::text FROM ${t.name} r WHERE ${where(t)}) AS "${t.name}"`,
  );
  const { rows } = await db.query<Record<string, string>>(`SELECT ${columns.join(', ')}`, params);
  return rows[0]!;
}

/** Every row of `userId` in every table, as JSON text per table. */
export function userSnapshot(db: Queryable, tables: Table[], userId: string): Promise<Record<string, string>> {
  return snapshotOf(
    db,
    tables.filter((t) => t.owned),
    (t) => t.owned!.replaceAll('$1', '$1::text'),
    [userId],
  );
}

/** Every row of every table but the migrations' and the rate-limit counters', as JSON text per table. */
export function databaseSnapshot(db: Queryable, tables: Table[]): Promise<Record<string, string>> {
  return snapshotOf(
    db,
    tables.filter((t) => t.owned && !COUNTS_ATTEMPTS.has(t.name)),
    () => 'true',
    [],
  );
}

/** The tables whose text differs, each with its rows before and after (for the failure message). */
export function changedTables(before: Record<string, string>, after: Record<string, string>): Record<string, { before: unknown; after: unknown }> {
  const changed: Record<string, { before: unknown; after: unknown }> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[name] !== after[name]) changed[name] = { before: JSON.parse(before[name] ?? 'null'), after: JSON.parse(after[name] ?? 'null') };
  }
  return changed;
}
