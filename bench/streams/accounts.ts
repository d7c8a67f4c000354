// The throwaway PostgreSQL database our server runs on (in the cluster pg_virtualenv made: PGHOST,
// PGPORT, PGUSER, PGPASSWORD), and the users and API keys the benchmark logs in with, made
// through our server's own API before the measured rounds.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parentOf } from './proc.js';

function clusterUrl(database: string) {
  const user = encodeURIComponent(process.env.PGUSER ?? 'postgres');
  const pass = process.env.PGPASSWORD ? `:${encodeURIComponent(process.env.PGPASSWORD)}` : '';
  return `postgres://${user}${pass}@${process.env.PGHOST ?? 'localhost'}:${process.env.PGPORT ?? '5432'}/${database}`;
}

/** A fresh, empty database (our server migrates it at start-up), and the pid of the cluster's postmaster. */
export async function createDatabase(): Promise<{ url: string; postmasterPid: number; drop(): Promise<void> }> {
  if (!process.env.PGHOST) throw new Error('no PostgreSQL: run through `npm run bench:streams`, which starts one with pg_virtualenv');
  const name = `bench_streams_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: clusterUrl(process.env.PGDATABASE ?? 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  // A backend is a child of the postmaster: the root of the PostgreSQL processes to measure.
  const { rows } = await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmasterPid = parentOf(rows[0]!.pid)!;
  await admin.end();
  return {
    url: clusterUrl(name),
    postmasterPid,
    async drop() {
      const c = new pg.Client({ connectionString: clusterUrl(process.env.PGDATABASE ?? 'postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Account {
  email: string;
  accessToken: string;
  apiKey: string;
}

async function call(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

/** Registers, logs in and makes an API key for `count` users; argon2 is slow, so a few at a time. */
export async function createAccounts(base: string, count: number, parallel = 4): Promise<Account[]> {
  const accounts: Account[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const email = `bench-user-${i}@example.com`;
      const password = `bench-password-${i}`;
      await call(base, '/api/auth/register', { email, password });
      const { access_token } = (await call(base, '/api/auth/login', { email, password })) as { access_token: string };
      const { key } = (await call(base, '/api/keys', { name: 'bench' }, access_token)) as { key: string };
      accounts[i] = { email, accessToken: access_token, apiKey: key };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return accounts;
}
