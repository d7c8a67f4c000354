import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { createAdmission } from './admission.js';

const open = () => new AbortController().signal;

describe('stream admission', () => {
  it('admits up to maxActive calls at once and refuses the next with 503 SERVER_BUSY and Retry-After', async () => {
    const admission = createAdmission({ maxActive: 2, queueTimeoutMs: 0 });
    await admission.enter(open());
    await admission.enter(open());
    const refused = await admission.enter(open()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'SERVER_BUSY', status: 503, headers: { 'retry-after': '1' } });
    expect(admission.counts()).toEqual({ active: 2, waiting: 0, refused: 1 });
  });

  it('gives a freed slot to the call that waited longest, within the queue bound', async () => {
    const admission = createAdmission({ maxActive: 1, queueTimeoutMs: 1000, maxWaiting: 2 });
    const leave = await admission.enter(open());
    const order: string[] = [];
    const first = admission.enter(open()).then((l) => (order.push('first'), l));
    const second = admission.enter(open()).then((l) => (order.push('second'), l));
    expect(admission.counts()).toMatchObject({ active: 1, waiting: 2 });
    leave();
    leave(); // a second call of the same leave gives nothing back twice
    (await first)();
    (await second)();
    expect(order).toEqual(['first', 'second']);
    expect(admission.counts()).toEqual({ active: 0, waiting: 0, refused: 0 });
  });

  it('refuses a waiting call when the queue wait runs out, and one that leaves while waiting', async () => {
    const admission = createAdmission({ maxActive: 1, queueTimeoutMs: 50 });
    await admission.enter(open());
    const started = Date.now();
    await expect(admission.enter(open())).rejects.toMatchObject({ code: 'SERVER_BUSY' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const gone = new AbortController();
    const waiting = admission.enter(gone.signal);
    gone.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'SERVER_BUSY' });
    expect(admission.counts()).toEqual({ active: 1, waiting: 0, refused: 2 });
  });

  it('refuses at once when as many calls wait as are allowed to', async () => {
    const admission = createAdmission({ maxActive: 1, queueTimeoutMs: 10_000, maxWaiting: 1 });
    const leave = await admission.enter(open());
    const waiting = admission.enter(open());
    await expect(admission.enter(open())).rejects.toMatchObject({ code: 'SERVER_BUSY' });
    leave();
    (await waiting)();
    expect(admission.counts().active).toBe(0);
  });
});
