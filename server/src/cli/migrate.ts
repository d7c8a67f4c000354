// npm run db:migrate [-- <version>]   apply migrations (to the latest, or up to <version>)
// npm run db:rollback [-- <version>]  undo the latest migration (or down to <version>; 0 undoes all)
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { migrateDown, migrateUp } from '../platform/db/migrate.js';
import { openDatabase } from '../platform/db/open.js';

const [direction, target] = process.argv.slice(2);
if (direction !== 'up' && direction !== 'down') {
  console.error('usage: migrate.ts up|down [version]');
  process.exit(2);
}
if (target !== undefined && !/^\d+$/.test(target)) {
  console.error(`version must be a whole number, got "${target}"`);
  process.exit(2);
}

try {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const result = direction === 'up' ? await migrateUp(db, target ?? 'max') : await migrateDown(db, target === undefined ? undefined : Number(target));
    console.log(`schema version ${result.from} -> ${result.to}${result.applied.length ? ` (${result.applied.join(', ')})` : ' (nothing to do)'}`);
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `migration failed: ${(err as Error).message}`);
  process.exit(1);
}
