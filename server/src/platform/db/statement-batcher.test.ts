import { describe, expect, it } from 'vitest';
import { createStatementBatcher } from './statement-batcher.js';

describe('statement batcher', () => {
  it('sends a lone item at once and those arriving meanwhile together, at most maxBatch per statement', async () => {
    const statements: number[][] = [];
    const batcher = createStatementBatcher(
      async (items: number[]) => {
        statements.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((n) => ({ value: n * 10 }));
      },
      { maxBatch: 3 },
    );
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.submit(n)));
    expect(answers).toEqual([10, 20, 30, 40, 50, 60]);
    expect(statements).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it("answers an item's own failure to it alone, and a failed statement to every item in it", async () => {
    let calls = 0;
    const batcher = createStatementBatcher(
      async (items: string[]) => {
        calls += 1;
        if (calls === 2) throw new Error('statement failed');
        return items.map((s) => (s === 'bad' ? { error: new Error(`bad item`) } : { value: s.toUpperCase() }));
      },
      { maxBatch: 10 },
    );
    const first = await Promise.allSettled([batcher.submit('a'), batcher.submit('b'), batcher.submit('c')]);
    expect(first.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    const second = await Promise.allSettled([batcher.submit('ok'), batcher.submit('bad')]);
    expect(second).toMatchObject([
      { status: 'fulfilled', value: 'OK' },
      { status: 'rejected', reason: { message: 'bad item' } },
    ]);
  });
});
