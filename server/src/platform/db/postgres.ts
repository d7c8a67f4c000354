import { createHash } from 'node:crypto';
import pg from 'pg';
import { AppError } from '../../lib/errors.js';
import type { Connection, Db, ListenHandlers, Queryable, QueryResult } from './db.js';

// bigint (int8) and numeric come back as strings by default; sums of tokens fit in a JS number
// far beyond any monthly limit, so parse int8 as a number for plain arithmetic in services.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PoolOptions {
  size: number;
  /** Longest wait for a free connection; past it the query fails and the request gets 503. */
  timeoutMs: number;
}

export interface PoolEvents {
  /**
   * An idle connection failed (the server restarted, the network dropped it). Nothing is lost, as
   * the pool replaces it on the next checkout, but an operator should see it: pass the app's log.
   * Without it the error goes to stderr.
   */
  onError?: (err: Error) => void;
}

/**
 * pg-pool's error when no connection frees up within connectionTimeoutMillis: the server is
 * overloaded, so the request is refused cleanly (503, Retry-After) rather than failed with a 500.
 */
function busyWhenPoolTimedOut(err: unknown): unknown {
  if (!(err instanceof Error) || err.message !== 'timeout exceeded when trying to connect') return err;
  return new AppError('SERVER_BUSY', 'The database is answering as many requests as it can; try again in a moment.', {}, { 'retry-after': '1' });
}

/**
 * Parameterised statements run as named prepared statements: each connection parses and plans a
 * text once, then only binds and executes it (the hot path's five statements repeat on every call;
 * planning was a third of the settlement's time). The name is the text's hash, so one text always
 * has one name. Texts past the cap run unnamed, so SQL built at run time cannot grow every
 * connection's statement cache without bound. docs/decisions/017-prepared-statements.md
 */
const MAX_NAMED_STATEMENTS = 1000;
const statementNames = new Map<string, string>();

export function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known !== undefined || statementNames.size >= MAX_NAMED_STATEMENTS) return known;
  const name = `q${createHash('sha1').update(text).digest('base64url')}`;
  statementNames.set(text, name);
  return name;
}

const logToStderr = (err: Error) => console.error(`database pool: an idle connection failed: ${err.message}`);

export async function openPostgres(
  url: string,
  { size, timeoutMs }: PoolOptions = { size: 20, timeoutMs: 10_000 },
  { onError = logToStderr }: PoolEvents = {},
): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: size, connectionTimeoutMillis: timeoutMs });
  // An idle client that loses its server emits here; without a listener it would crash the process.
  pool.on('error', (err) => onError(err));

  const wrap = (run: (config: pg.QueryConfig) => Promise<pg.QueryResult>): Queryable => ({
    async query<T>(text: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const name = params.length > 0 ? statementName(text) : undefined;
      const res = await run({ text, values: params, ...(name && { name }) }).catch((err: unknown) => {
        throw busyWhenPoolTimedOut(err);
      });
      return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
    },
  });
  const onClient = (client: pg.PoolClient) => (config: pg.QueryConfig) => client.query(config);

  /**
   * A client of the pool's own for a transaction or a dedicated session. While it is out the pool no
   * longer listens for its errors, and a connection lost between two statements (the server
   * restarted) would be an unhandled 'error' event, which ends the process. So we listen meanwhile:
   * the next statement fails with the connection error (a 503 for the request), and the broken
   * client is discarded on release instead of going back to the pool.
   */
  async function checkOut(): Promise<{ client: pg.PoolClient; release: () => void }> {
    const client = await pool.connect().catch((err: unknown) => {
      throw busyWhenPoolTimedOut(err);
    });
    let lost: Error | undefined;
    const onLost = (err: Error) => {
      lost = err;
      onError(err);
    };
    client.on('error', onLost);
    return {
      client,
      release: () => {
        client.removeListener('error', onLost);
        client.release(lost);
      },
    };
  }

  const db: Db = {
    kind: 'postgres',
    query: wrap((config) => pool.query(config)).query,
    async transaction(fn) {
      const { client, release } = await checkOut();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(onClient(client)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        release();
      }
    },
    async withConnection(fn) {
      const { client, release } = await checkOut();
      try {
        const conn: Connection = {
          ...wrap(onClient(client)),
          async exec(sql) {
            const res = await client.query(sql);
            const last = Array.isArray(res) ? res.at(-1) : res;
            return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
          },
        };
        return await fn(conn);
      } finally {
        release();
      }
    },
    listen: (channel, handlers) => listenOn(url, channel, handlers),
    close: () => pool.end(),
  };
  return db;
}

const RELISTEN_DELAY_MS = 1000;

/** One client of its own, reconnected a second after it fails, until the returned function is called. */
async function listenOn(url: string, channel: string, { onPayload, onLive, onError }: ListenHandlers) {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const reconnectLater = () => {
    if (closed) return;
    retry = setTimeout(() => {
      connect().catch((err: unknown) => {
        onError?.(err as Error);
        reconnectLater();
      });
    }, RELISTEN_DELAY_MS);
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (m) => {
      if (m.channel === channel && m.payload !== undefined) onPayload(m.payload);
    });
    c.on('error', (err) => {
      if (client === c) {
        client = undefined;
        onLive?.(false);
      }
      onError?.(err);
      void c.end().catch(() => {});
      reconnectLater();
    });
    await c.connect();
    await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    onLive?.(true);
  };
  await connect();
  return async () => {
    closed = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
  };
}
