// While replies stream, their text so far is saved now and then, so a process that dies loses at
// most a moment of each (the reaper then marks them failed with that text). One timer and one
// statement per interval for all the replies this process is writing, not one each: at 2,048
// streams a write per reply per second would be the database's heaviest load.
import type { FastifyBaseLogger } from 'fastify';

export interface ReplyText {
  id: string;
  content: string;
}

export interface ReplyCheckpointsDeps {
  save(replies: ReplyText[]): Promise<void>;
  intervalMs: number;
  log: FastifyBaseLogger;
}

export function createReplyCheckpoints({ save, intervalMs, log }: ReplyCheckpointsDeps) {
  const live = new Map<string, { textSoFar: () => string; saved: string }>();
  let timer: NodeJS.Timeout | undefined;
  let writing = false;

  function flush() {
    if (writing) return; // the database is behind: skip a beat rather than pile writes up
    const batch: { reply: ReplyText; entry: { saved: string } }[] = [];
    for (const [id, entry] of live) {
      const content = entry.textSoFar();
      if (content !== entry.saved) batch.push({ reply: { id, content }, entry });
    }
    if (!batch.length) return;
    writing = true;
    save(batch.map((b) => b.reply))
      .then(() => {
        for (const b of batch) b.entry.saved = b.reply.content;
      })
      .catch((err: unknown) => log.warn({ err, replies: batch.length }, 'saving streaming replies failed'))
      .finally(() => (writing = false));
  }

  return {
    /** Saves this reply's text with the others until the returned function is called. */
    track(id: string, textSoFar: () => string): () => void {
      live.set(id, { textSoFar, saved: '' });
      if (!timer) {
        timer = setInterval(flush, intervalMs);
        timer.unref();
      }
      return () => {
        live.delete(id);
        if (live.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
  };
}

export type ReplyCheckpoints = ReturnType<typeof createReplyCheckpoints>;
