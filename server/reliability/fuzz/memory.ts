// The heap after a full collection, to tell a leak from garbage not yet collected. The server runs in
// this process (the database is in it too, for PGlite), so the heap is the server's and the
// client's; the client keeps nothing between groups. `--expose-gc` is not on vitest's command line:
// V8 lets it be turned on at run time, and a new context then sees `gc`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export const MB = 1024 * 1024;
