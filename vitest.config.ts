import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Files named *.pg.test.ts hold only tests that need a PostgreSQL server (several processes on
// one database). Without one they are left out, and say so; CI always has one (scripts/test.sh).
const hasPostgres = Boolean(process.env.PGHOST || process.env.TEST_DATABASE_URL);
// The browser tests need Debian's Chromium; without it they are left out, and say so (CI installs it).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runE2e = existsSync(chromium) || Boolean(process.env.CI);
if (!runE2e) console.log(`Browser tests (e2e) not run: no Chromium at ${chromium} (apt-get install chromium).`);
if (!hasPostgres && !process.env.CI) {
  console.log('PostgreSQL suites not run (*.pg.test.ts and the postgres half of each suite): no PGHOST or TEST_DATABASE_URL.');
}
// The Redis rate-limit tests start their own redis-server; without one they are skipped, and say
// so here; in CI they fail instead (server/test/redis-server.ts), since .ci/run installs it.
if (!process.env.CI && spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log('Redis suites skipped (the redis half of the rate-limiter suite, REDIS_URL app tests): no redis-server (apt-get install redis-server).');
}

export default defineConfig({
  test: {
    // Two test files at a time, also on a 2-core machine (vitest's default there is one): most
    // files wait on servers, databases and browsers rather than on the CPU.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'server',
          include: ['server/**/*.test.ts'],
          exclude: ['server/reliability/**', ...(hasPostgres || process.env.CI ? [] : ['server/**/*.pg.test.ts'])],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        // The adversary (server/reliability/README.md): fuzzing from the OpenAPI document,
        // authorization sweeps, load with faults. Also alone: npm run test:reliability.
        test: {
          name: 'reliability',
          include: ['server/reliability/**/*.test.ts'],
          exclude: hasPostgres || process.env.CI ? [] : ['server/reliability/**/*.pg.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        // Components and hooks of the web app, in jsdom.
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'web',
          include: ['web/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['web/src/test/setup.ts'],
          // A streamed reply rendered as markdown takes 3.5 s in jsdom on a quiet 2-core machine; a
          // busy one (CI beside the other suites) needs more than vitest's default 5 s.
          testTimeout: 20_000,
        },
      },
      ...(runE2e
        ? [
            {
              // The built app against the real server in headless Chromium (e2e/README.md).
              test: {
                name: 'e2e',
                include: ['e2e/**/*.test.ts'],
                environment: 'node',
                globalSetup: ['e2e/global-setup.ts'],
                testTimeout: 120_000,
                hookTimeout: 180_000,
                pool: 'forks',
                fileParallelism: false,
                // After the server and web suites, not beside them: the browser's timings should not
                // compete with servers being killed and databases restarted by the fault tests.
                sequence: { groupOrder: 1 },
              },
            },
          ]
        : []),
    ],
  },
});
