import { PGlite } from '@electric-sql/pglite';
import type { Connection, Db, ListenHandlers, Queryable, QueryResult } from './db.js';

/**
 * PGlite's error for a failed query carries the query's parameters (`params`): message text, key
 * hashes, the e-mail in a rate-limit key. Whoever logs the error would write them out, so they are
 * dropped here, at the source; node-postgres's errors never carry them.
 */
function withoutParameters(err: unknown): unknown {
  if (err && typeof err === 'object') {
    delete (err as { params?: unknown }).params;
    delete (err as { queryOptions?: unknown }).queryOptions;
  }
  return err;
}

/** dataDir undefined means in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = await PGlite.create(dataDir);

  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const res = await q.query<T>(text, params).catch((err: unknown) => {
        throw withoutParameters(err);
      });
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
  });
  const base = wrap(pg);
  const connection: Connection = {
    ...base,
    async exec(sql) {
      const results = await pg.exec(sql);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
    },
  };

  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    // PGlite has a single connection: every caller already shares it.
    withConnection: (fn) => fn(connection),
    // One connection in one process: its own NOTIFYs are delivered as their statement commits.
    async listen(channel: string, { onPayload, onLive }: ListenHandlers) {
      const unlisten = await pg.listen(channel, onPayload);
      onLive?.(true);
      return () => unlisten();
    },
    close: () => pg.close(),
  };
}
