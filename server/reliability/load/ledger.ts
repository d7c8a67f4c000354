// What the clients of the load were told, kept to be checked against the database afterwards
// (checks.ts), and what went wrong on the spot (a 500, an error not in its shape, a stream cut).

/** A stored message as its client knows it. */
export interface ExpectedMessage {
  id: string;
  role: 'user' | 'assistant';
  /** The statuses the row may end with. */
  statuses: string[];
  /** What the client saw of the text... */
  seen: string;
  /**
   * ...and how the stored text relates to it: equal (the client read the whole reply), extends (the
   * client left early, the server may have written more), related (a crash: either is a prefix).
   */
  relation: 'equal' | 'extends' | 'related';
}

export interface ExpectedConversation {
  id: string;
  userId: string;
  /** A request on it ended in a way that leaves its state unknown (a 5xx, a connection lost). */
  uncertain: boolean;
  deleted: boolean;
  /** The title of the last rename the client saw succeed (undefined: not renamed). */
  title?: string;
  messages: ExpectedMessage[];
}

/** A model call the client saw start, with the usage it was told (when it was). */
export interface StartedCall {
  userId: string;
  usage?: { input: number; output: number };
}

export interface Latency {
  kind: string;
  /** Until the response headers. */
  ms: number;
  /** Until the first piece of text, for streams. */
  firstTextMs?: number;
  at: number;
}

export function createLedger() {
  return {
    requests: 0,
    byKind: {} as Record<string, number>,
    statuses: {} as Record<string, number>,
    /** Broken promises seen on the spot; the run fails if any. */
    problems: [] as string[],
    /** Chat replies by assistant message id. */
    chatCalls: new Map<string, StartedCall>(),
    /** /v1 completions by the request id their completion id carries. */
    apiCalls: new Map<string, StartedCall>(),
    /** Requests that may have made a model call, per user: no user may have more usage records. */
    modelRequests: new Map<string, number>(),
    conversations: new Map<string, ExpectedConversation>(),
    faults: {} as Record<string, number>,
    latencies: [] as Latency[],
    count(kind: string, status: number | 'network') {
      this.requests += 1;
      this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
      this.statuses[String(status)] = (this.statuses[String(status)] ?? 0) + 1;
    },
    fault(name: string) {
      this.faults[name] = (this.faults[name] ?? 0) + 1;
    },
    problem(text: string) {
      if (this.problems.length < 200) this.problems.push(text);
    },
    modelRequest(userId: string) {
      this.modelRequests.set(userId, (this.modelRequests.get(userId) ?? 0) + 1);
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
