// The list cursor is opaque to clients: base64url of the last row's sort key. Decoding checks every
// field, so a forged or damaged cursor is a 422, never a SQL error.
import { AppError } from '../../lib/errors.js';
import type { ListCursor } from './conversations.repository.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.pinned ? 1 : 0, c.activeAt, c.id])).toString('base64url');
}

export function decodeCursor(text: string): ListCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3) {
      const [pinned, activeAt, id] = value as unknown[];
      if ((pinned === 0 || pinned === 1) && typeof activeAt === 'string' && TIMESTAMP.test(activeAt) && typeof id === 'string' && GUID.test(id)) {
        return { pinned: pinned === 1, activeAt, id };
      }
    }
  } catch {
    // fall through
  }
  throw new AppError('INVALID_CURSOR');
}
