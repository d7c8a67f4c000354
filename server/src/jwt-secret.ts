// Outside production a missing JWT_SECRET is generated once and kept in the data folder, so that
// tokens survive a restart without the operator having to invent a secret to try the product.
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_JWT_SECRET_BYTES, type Config } from './config.js';

export const JWT_SECRET_FILE = 'jwt-secret';

export function resolveJwtSecret(config: Pick<Config, 'jwtSecret' | 'dataDir'>): string {
  if (config.jwtSecret) return config.jwtSecret;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, JWT_SECRET_FILE);
  const stored = readStoredSecret(file);
  if (stored !== undefined) return stored;

  // Written whole to a private temporary file, then linked into place: link() fails if another
  // process got there first (then we use theirs), and nobody ever reads a half-written secret.
  const secret = randomBytes(32).toString('hex');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, secret + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readStoredSecret(file)!;
  } finally {
    unlinkSync(tmp);
  }
}

function readStoredSecret(file: string): string | undefined {
  let stored: string;
  try {
    stored = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // A damaged file must not quietly become a weak key (nor be replaced, which would end every session).
  if (Buffer.byteLength(stored) < MIN_JWT_SECRET_BYTES) {
    throw new Error(`${file} holds fewer than 256 bits; delete it to generate a new secret, or set JWT_SECRET`);
  }
  return stored;
}
