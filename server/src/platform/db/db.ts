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
   * LISTEN on a channel; each NOTIFY payload goes to onPayload. On PostgreSQL it listens over a
   * connection of its own, kept open and re-established after a loss: onLive(false) says it is down
   * (what is sent meanwhile is lost), onLive(true) that it listens again. PGlite has one process and
   * is always live. Resolves once listening; the function it answers stops.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onPayload(payload: string): void;
  onLive?(live: boolean): void;
  onError?(err: Error): void;
}

export interface Connection extends Queryable {
  /** Runs a script of several statements without parameters. Returns the last statement's rows. */
  exec(sql: string): Promise<QueryResult<Record<string, unknown>>>;
}
