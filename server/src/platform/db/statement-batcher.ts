// Requests that arrive while a statement is under way go together in the next: under load many
// calls cost one round trip (each costs the server and PostgreSQL more than the work it carries:
// issue 9); alone, a request waits for nothing. The statement answers each item on its own: a
// failure can be one item's (its own error) or the whole batch's (every item gets it).
export type ItemResult<Out> = { value: Out } | { error: unknown };

export interface StatementBatcherOptions {
  /** Items in one statement at most; the rest wait for the next. */
  maxBatch: number;
}

export function createStatementBatcher<In, Out>(run: (items: In[]) => Promise<ItemResult<Out>[]>, { maxBatch }: StatementBatcherOptions) {
  let queue: { item: In; resolve: (value: Out) => void; reject: (err: unknown) => void }[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      try {
        const results = await run(batch.map((b) => b.item));
        batch.forEach((b, i) => {
          const result = results[i]!;
          if ('error' in result) b.reject(result.error);
          else b.resolve(result.value);
        });
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    running = false;
  }

  return {
    /** Resolves with the item's own result, once the statement that carried it is done. */
    submit(item: In): Promise<Out> {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
