// The retries of idempotent writes: only lost connections and deadlocks are tried again.
import { describe, expect, it } from 'vitest';
import { retryOnConnectionLoss, retryOnDeadlock } from './retry.js';

const failing = (errors: unknown[]) => {
  let calls = 0;
  const fn = async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'done';
  };
  return { fn, calls: () => calls };
};
const coded = (code: string) => Object.assign(new Error(code), { code });

describe('retryOnConnectionLoss', () => {
  it('runs once when the first attempt succeeds', async () => {
    const f = failing([]);
    expect(await retryOnConnectionLoss(f.fn)).toBe('done');
    expect(f.calls()).toBe(1);
  });

  it('tries again after lost connections, telling onRetry each error', async () => {
    const lost = [coded('ECONNRESET'), coded('57P01')];
    const f = failing(lost);
    const told: unknown[] = [];
    expect(await retryOnConnectionLoss(f.fn, (err) => told.push(err))).toBe('done');
    expect(f.calls()).toBe(3);
    expect(told).toEqual(lost);
  });

  it('throws any other error at once', async () => {
    const f = failing([coded('23505')]);
    await expect(retryOnConnectionLoss(f.fn)).rejects.toMatchObject({ code: '23505' });
    expect(f.calls()).toBe(1);
  });
});

describe('retryOnDeadlock', () => {
  it("tries again a deadlock's victim, and throws anything else at once", async () => {
    const f = failing([coded('40P01'), coded('40P01')]);
    expect(await retryOnDeadlock(f.fn)).toBe('done');
    expect(f.calls()).toBe(3);
    const g = failing([coded('40001')]);
    await expect(retryOnDeadlock(g.fn)).rejects.toMatchObject({ code: '40001' });
    expect(g.calls()).toBe(1);
  });

  it('gives up after six attempts (five retries), as before', async () => {
    const f = failing(Array.from({ length: 10 }, () => coded('40P01')));
    await expect(retryOnDeadlock(f.fn)).rejects.toMatchObject({ code: '40P01' });
    expect(f.calls()).toBe(6);
  });
});
