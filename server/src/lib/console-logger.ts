// A logger for the command-line tools, which build the services without an HTTP app (and so
// without Fastify's pino): warnings and errors go to stderr as plain lines, the rest is dropped.
import type { FastifyBaseLogger } from 'fastify';

export function consoleLogger(): FastifyBaseLogger {
  const line =
    (level: string) =>
    (first: unknown, message?: string): void => {
      const text = typeof first === 'string' ? first : (message ?? '');
      const err = typeof first === 'object' && first && 'err' in first && first.err instanceof Error ? `: ${first.err.message}` : '';
      console.error(`${level}: ${text}${err}`);
    };
  const ignore = () => {};
  const log = {
    level: 'warn',
    fatal: line('fatal'),
    error: line('error'),
    warn: line('warn'),
    info: ignore,
    debug: ignore,
    trace: ignore,
    silent: ignore,
    child: () => log,
  };
  return log;
}
