// npm run admin -- promote <email>   give an existing account the admin role (the first admin)
// npm run admin -- demote <email>    take it away
// npm run admin -- list              list admins
// Uses the same configuration as the server (DATABASE_URL or the embedded database in DATA_DIR);
// with the embedded database, stop the server first (PGlite serves one process). The changes go
// through the services the server uses (admin's, which audits them), built the same way.
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { normaliseEmail } from '../features/users/users.service.js';
import { resolveJwtSecret } from '../jwt-secret.js';
import { consoleLogger } from '../lib/console-logger.js';
import { migrateUp } from '../platform/db/migrate.js';
import { openDatabase } from '../platform/db/open.js';
import { buildServices } from '../services.js';

const [command, email] = process.argv.slice(2);
const usage = 'usage: npm run admin -- promote <email> | demote <email> | list';

try {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrateUp(db);
    const services = buildServices(config, { db, jwtSecret: resolveJwtSecret(config), log: consoleLogger() });
    try {
      if (command === 'list') {
        const admins = await services.admin.listAdminEmails();
        console.log(admins.length ? admins.join('\n') : 'no admins yet');
      } else if ((command === 'promote' || command === 'demote') && email) {
        const role = command === 'promote' ? 'admin' : 'user';
        const updated = await services.admin.setRoleByEmail(email, role);
        if (!updated) {
          console.error(`no account with email ${normaliseEmail(email)}; sign up first`);
          process.exitCode = 1;
        } else {
          console.log(`${updated.email} is now ${role === 'admin' ? 'an admin' : 'a regular user'}`);
        }
      } else {
        console.error(usage);
        process.exitCode = 2;
      }
    } finally {
      await services.close();
    }
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `admin command failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
