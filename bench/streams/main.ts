// npm run bench:streams: the streaming-capacity benchmark alone (benchmark.ts).
import { runStreamsBenchmark } from './benchmark.js';

await runStreamsBenchmark();
