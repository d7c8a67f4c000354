// How many model calls one process runs at once. Past MAX_CONCURRENT_STREAMS a new call waits up to
// STREAM_QUEUE_TIMEOUT_MS for a slot, then is refused with 503 and Retry-After, before anything is
// reserved or stored: under overload the server turns work away cleanly instead of slowing every
// stream down until database waits time out at random (docs/decisions/010-lean-stream-core.md).
import { AppError } from '../errors.js';

export interface AdmissionOptions {
  maxActive: number;
  queueTimeoutMs: number;
  /** Calls that may wait at once; more are refused at once. */
  maxWaiting?: number;
}

export interface AdmissionCounts {
  active: number;
  waiting: number;
  refused: number;
}

/** Gives back the slot; safe to call more than once. */
export type LeaveSlot = () => void;

export function serverBusy(): AppError {
  return new AppError('SERVER_BUSY', 'This server is answering as many requests as it can; try again in a moment.', {}, { 'retry-after': '1' });
}

export function createAdmission({ maxActive, queueTimeoutMs, maxWaiting = maxActive }: AdmissionOptions) {
  let active = 0;
  let refused = 0;
  const waiting: { grant: () => void }[] = [];

  function slot(): LeaveSlot {
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = waiting.shift();
      if (next)
        next.grant(); // the slot passes on: active stays the same
      else active -= 1;
    };
  }

  function refuse(): never {
    refused += 1;
    throw serverBusy();
  }

  return {
    counts: (): AdmissionCounts => ({ active, waiting: waiting.length, refused }),

    async enter(signal: AbortSignal): Promise<LeaveSlot> {
      if (active < maxActive) {
        active += 1;
        return slot();
      }
      if (queueTimeoutMs === 0 || waiting.length >= maxWaiting || signal.aborted) refuse();
      return new Promise<LeaveSlot>((resolve, reject) => {
        const entry = {
          grant: () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', giveUp);
            resolve(slot());
          },
        };
        const giveUp = () => {
          const index = waiting.indexOf(entry);
          if (index >= 0) waiting.splice(index, 1);
          clearTimeout(timer);
          signal.removeEventListener('abort', giveUp);
          try {
            refuse();
          } catch (err) {
            reject(err);
          }
        };
        const timer = setTimeout(giveUp, queueTimeoutMs);
        signal.addEventListener('abort', giveUp, { once: true });
        waiting.push(entry);
      });
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
