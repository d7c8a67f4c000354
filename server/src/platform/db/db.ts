// One small interface over both drivers: PGlite (embedded, one process) and node-postgres (a
// server, many processes). Queries are plain parameterised SQL, identical on both.
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn inside BEGIN/COMMIT on one connection; rolls back if fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level locks, multi-statement scripts). */
  withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only: LISTEN on a channel over a connection of its own (outside the pool), kept
   * open and re-established after a loss; each NOTIFY payload goes to onPayload. Notifications
   * sent while the connection was down are lost, so a listener must not depend on every one.
   */
  listen?(channel: string, onPayload: (payload: string) => void, onError: (err: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface Connection extends Queryable {
  /** Runs a script of several statements without parameters. Returns the last statement's rows. */
  exec(sql: string): Promise<QueryResult<Record<string, unknown>>>;
}
