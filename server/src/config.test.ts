import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runMain, stopAllProcesses, tempDir } from '../test/spawn-server.js';
import { ConfigError, loadConfig } from './config.js';
import { DEFAULT_TIER_LIMITS } from './lib/tiers/tiers.js';

const SECRET = 'a'.repeat(32);

/** The problems loadConfig lists for env, or [] when it accepts it. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loadConfig', () => {
  it('keeps checked keys and sessions 300 s by default, and takes 0 to turn the cache off', () => {
    expect(loadConfig({}).authCacheSeconds).toBe(300);
    expect(loadConfig({ AUTH_CACHE_SECONDS: '0' }).authCacheSeconds).toBe(0);
  });

  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: 'localhost',
      dataDir: './data',
      databaseUrl: undefined,
      redisUrl: undefined,
      jwtSecret: undefined,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      logLevel: 'info',
      allowedOrigins: [],
      trustProxy: false,
      bodyLimitBytes: 1_048_576,
      authRateLimit: { perIp: 30, perEmail: 10, windowSeconds: 60 },
    });
    expect(config.tiers).toEqual(DEFAULT_TIER_LIMITS);
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '0.0.0.0',
      DATA_DIR: '/srv/qc',
      DATABASE_URL: 'postgresql://u:p@db:5432/qc',
      REDIS_URL: 'rediss://:pw@cache:6380/2',
      JWT_SECRET: SECRET,
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_SECONDS: '3600',
      REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example,',
      TRUST_PROXY: 'true',
      BODY_LIMIT_BYTES: '4096',
      AUTH_RATE_LIMIT_PER_IP: '5',
      AUTH_RATE_LIMIT_PER_EMAIL: '2',
      AUTH_RATE_LIMIT_WINDOW_SECONDS: '30',
      SHARED_LINK_RATE_LIMIT_PER_MINUTE: '120',
    });
    expect(config).toMatchObject({
      env: 'test',
      port: 0,
      host: '0.0.0.0',
      dataDir: '/srv/qc',
      databaseUrl: 'postgresql://u:p@db:5432/qc',
      redisUrl: 'rediss://:pw@cache:6380/2',
      jwtSecret: SECRET,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlSeconds: 3600,
      refreshTokenReuseIntervalSeconds: 0,
      logLevel: 'warn',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      trustProxy: true,
      bodyLimitBytes: 4096,
      authRateLimit: { perIp: 5, perEmail: 2, windowSeconds: 30 },
      sharedLinkRateLimitPerMinute: 120,
    });
  });

  it('treats an empty value as not set, as a blank line in .env means', () => {
    const config = loadConfig({ PORT: '', HOST: '', JWT_SECRET: '', LOG_LEVEL: '', DATABASE_URL: '', TIER_FREE_MONTHLY_TOKENS: '' });
    expect(config).toMatchObject({ port: 3000, host: 'localhost', jwtSecret: undefined, logLevel: 'info', databaseUrl: undefined });
    expect(config.tiers.free.monthlyTokens).toBe(DEFAULT_TIER_LIMITS.free.monthlyTokens);
  });

  describe('stops with a message naming the variable', () => {
    it.each([
      ['PORT', 'abc', /whole number/],
      ['PORT', '70000', /0 to 65535/],
      ['DATABASE_URL', 'mysql://db/qc', /postgres:\/\//],
      ['REDIS_URL', 'http://cache:6379', /redis:\/\//],
      ['REDIS_URL', 'redis://[bad', /URL/],
      ['LOG_LEVEL', 'loud', /info/],
      ['TIER_FREE_MONTHLY_TOKENS', '-1', /whole number >= 0/],
      ['TIER_STARTER_REQUESTS_PER_MINUTE', '0', /whole number >= 1/],
      ['TIER_ADVANCED_MONTHLY_TOKENS', 'lots', /whole number/],
      ['JWT_SECRET', 'x'.repeat(31), /256 bits/],
      ['ACCESS_TOKEN_TTL_SECONDS', '1.5', /whole number/],
      ['REFRESH_TOKEN_REUSE_INTERVAL_SECONDS', '61', /0 to 60/],
      ['TRUST_PROXY', 'maybe', /true/],
      ['SHARED_LINK_RATE_LIMIT_PER_MINUTE', '0', /whole number >= 1/],
      ['NODE_ENV', 'staging', /production/],
    ])('%s=%s', (name, value, expected) => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name}: `));
      expect(problems[0]).toMatch(expected);
    });

    it('in the error message itself, one line per problem', () => {
      expect(() => loadConfig({ PORT: 'abc' })).toThrow(/^Invalid configuration:\n {2}- PORT: /);
    });
  });

  it('lists several bad values at once', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/qc',
      LOG_LEVEL: 'loud',
      TIER_FREE_MONTHLY_TOKENS: '-1',
      TIER_STARTER_REQUESTS_PER_MINUTE: '0',
      JWT_SECRET: 'short',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DATABASE_URL', 'JWT_SECRET', 'LOG_LEVEL', 'PORT', 'TIER_FREE_MONTHLY_TOKENS', 'TIER_STARTER_REQUESTS_PER_MINUTE'].sort(),
    );
  });

  it('refuses NODE_ENV=production without a JWT_SECRET', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^JWT_SECRET: required when NODE_ENV=production/)]);
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'too short' })).toEqual([expect.stringMatching(/^JWT_SECRET: .*256 bits/)]);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).jwtSecret).toBe(SECRET);
  });

  it('counts the JWT_SECRET minimum in bytes, not characters', () => {
    expect(problemsOf({ JWT_SECRET: 'é'.repeat(16) })).toEqual([]); // 32 bytes of UTF-8
    expect(problemsOf({ JWT_SECRET: 'é'.repeat(15) + 'x' })).toHaveLength(1); // 31 bytes
  });

  describe('TIER_LIMITS_FILE', () => {
    let dir: ReturnType<typeof tempDir>;
    beforeEach(() => {
      dir = tempDir('qc-config-');
    });
    afterEach(() => dir.remove());

    const file = (name: string, content: string) => {
      const path = join(dir.path, name);
      writeFileSync(path, content);
      return path;
    };

    it('overrides part of a tier and leaves the rest at the defaults', () => {
      const path = file('tiers.json', JSON.stringify({ free: { monthlyTokens: 50_000 }, starter: { models: ['demo', 'gpt-4o-mini'] } }));
      const { tiers } = loadConfig({ TIER_LIMITS_FILE: path });
      expect(tiers.free).toEqual({ ...DEFAULT_TIER_LIMITS.free, monthlyTokens: 50_000 });
      expect(tiers.starter).toEqual({ ...DEFAULT_TIER_LIMITS.starter, models: ['demo', 'gpt-4o-mini'] });
      expect(tiers.builder).toEqual(DEFAULT_TIER_LIMITS.builder);
      expect(tiers.advanced).toEqual(DEFAULT_TIER_LIMITS.advanced);
    });

    it('stops when the file is missing', () => {
      const path = join(dir.path, 'nowhere.json');
      expect(problemsOf({ TIER_LIMITS_FILE: path })).toEqual([expect.stringMatching(new RegExp(`^TIER_LIMITS_FILE: cannot read "${path}"`))]);
    });

    it('stops when the file is not JSON', () => {
      const path = file('broken.json', '{ free: ');
      expect(problemsOf({ TIER_LIMITS_FILE: path })).toEqual([expect.stringMatching(/^TIER_LIMITS_FILE: .*as JSON/)]);
    });

    it('stops, naming each bad field, when the JSON has the wrong shape', () => {
      const path = file('wrong.json', JSON.stringify({ free: { monthlyTokens: -5, requestsPerMinute: 0 }, platinum: {}, starter: { colour: 'gold' } }));
      const problems = problemsOf({ TIER_LIMITS_FILE: path });
      expect(problems.every((p) => p.startsWith('TIER_LIMITS_FILE'))).toBe(true);
      const text = problems.join('\n');
      expect(text).toContain('free.monthlyTokens');
      expect(text).toContain('free.requestsPerMinute');
      expect(text).toContain('platinum');
      expect(text).toContain('colour');
    });

    it('is overridden in turn by a per-value variable', () => {
      const path = file('tiers.json', JSON.stringify({ free: { monthlyTokens: 50_000, requestsPerMinute: 5 } }));
      const { tiers } = loadConfig({ TIER_LIMITS_FILE: path, TIER_FREE_MONTHLY_TOKENS: '70000' });
      expect(tiers.free).toEqual({ ...DEFAULT_TIER_LIMITS.free, monthlyTokens: 70_000, requestsPerMinute: 5 });
    });
  });

  it('applies TIER_<NAME>_* per value without a file', () => {
    const { tiers } = loadConfig({ TIER_FREE_MONTHLY_TOKENS: '50000', TIER_ADVANCED_REQUESTS_PER_MINUTE: '500', TIER_BUILDER_MONTHLY_TOKENS: '0' });
    expect(tiers.free).toEqual({ ...DEFAULT_TIER_LIMITS.free, monthlyTokens: 50_000 });
    expect(tiers.advanced).toEqual({ ...DEFAULT_TIER_LIMITS.advanced, requestsPerMinute: 500 });
    expect(tiers.builder.monthlyTokens).toBe(0);
    expect(tiers.starter).toEqual(DEFAULT_TIER_LIMITS.starter);
  });
});

describe('.env.example', () => {
  const documented = new Set(
    readFileSync(join(REPO_ROOT, '.env.example'), 'utf8')
      .split('\n')
      .flatMap((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []),
  );

  /** Every variable name loadConfig looks up, seen through an environment that records reads. */
  function variablesReadByConfig(): Set<string> {
    const read = new Set<string>();
    const recorder = new Proxy(
      {},
      {
        get(_target, key) {
          if (typeof key === 'string') read.add(key);
          return undefined;
        },
        has(_target, key) {
          if (typeof key === 'string') read.add(key);
          return false;
        },
      },
    );
    loadConfig(recorder);
    return read;
  }

  it('documents every variable that config.ts reads', () => {
    const read = variablesReadByConfig();
    expect(read.size).toBeGreaterThan(20);
    expect(read).toContain('TIER_ADVANCED_REQUESTS_PER_MINUTE');
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents no variable that config.ts ignores', () => {
    const read = variablesReadByConfig();
    expect([...documented].filter((name) => !read.has(name))).toEqual([]);
  });
});

describe('starting the real server with a bad configuration', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('qc-config-main-');
  });
  afterEach(() => dir.remove());
  afterAll(() => stopAllProcesses());

  const expectCleanFailure = (out: { code: number | null; stderr: string }) => {
    expect(out.code).not.toBe(0);
    expect(out.code).not.toBeNull();
    expect(out.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(out.stderr).not.toMatch(/node:internal|\.ts:\d+/);
  };

  it('exits non-zero, naming every bad variable on stderr, without a stack trace', async () => {
    const out = await runMain({ cwd: dir.path, env: { PORT: 'abc', LOG_LEVEL: 'loud', DATA_DIR: join(dir.path, 'data') } });
    expectCleanFailure(out);
    expect(out.stderr).toContain('Invalid configuration');
    expect(out.stderr).toMatch(/PORT: .*"abc"/);
    expect(out.stderr).toMatch(/LOG_LEVEL: /);
  });

  it('refuses NODE_ENV=production without a JWT_SECRET', async () => {
    const out = await runMain({ cwd: dir.path, env: { NODE_ENV: 'production', DATA_DIR: join(dir.path, 'data') } });
    expectCleanFailure(out);
    expect(out.stderr).toMatch(/JWT_SECRET: required when NODE_ENV=production/);
  });

  it('reads the settings in a .env file in the working directory', async () => {
    writeFileSync(join(dir.path, '.env'), 'TIER_FREE_MONTHLY_TOKENS=-1\n');
    const out = await runMain({ cwd: dir.path, env: { DATA_DIR: join(dir.path, 'data') } });
    expectCleanFailure(out);
    expect(out.stderr).toMatch(/TIER_FREE_MONTHLY_TOKENS: .*"-1"/);
  });

  it('exits non-zero with a one-line reason when the database cannot be reached', async () => {
    // Port 1 on localhost: nothing listens there, so the connection is refused at once.
    const out = await runMain({ cwd: dir.path, env: { DATABASE_URL: 'postgres://nobody:secret-pw@127.0.0.1:1/qc', DATA_DIR: join(dir.path, 'data') } });
    expectCleanFailure(out);
    expect(out.stderr).toMatch(/^Failed to start: .*ECONNREFUSED/m);
    expect(out.stderr).not.toContain('secret-pw');
  });

  it('exits non-zero with a one-line reason when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      const out = await runMain({ cwd: dir.path, env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(dir.path, 'data') } });
      expectCleanFailure(out);
      expect(out.stderr).toMatch(/^Failed to start: .*EADDRINUSE/m);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
