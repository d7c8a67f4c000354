// npm run admin -- promote <email>   give an existing account the admin role (the first admin)
// npm run admin -- demote <email>    take it away
// npm run admin -- list              list admins
// Uses the same configuration as the server (DATABASE_URL or the embedded database in DATA_DIR);
// with the embedded database, stop the server first (PGlite serves one process).
import 'dotenv/config';
import { ConfigError, loadConfig } from '../config.js';
import { migrateUp } from '../db/migrate.js';
import { openDatabase } from '../db/open.js';

const [command, rawEmail] = process.argv.slice(2);
const usage = 'usage: npm run admin -- promote <email> | demote <email> | list';

try {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrateUp(db);
    if (command === 'list') {
      const { rows } = await db.query<{ email: string }>("SELECT email FROM users WHERE role = 'admin' ORDER BY email");
      console.log(rows.length ? rows.map((r) => r.email).join('\n') : 'no admins yet');
    } else if ((command === 'promote' || command === 'demote') && rawEmail) {
      const email = rawEmail.trim().toLowerCase();
      const role = command === 'promote' ? 'admin' : 'user';
      const updated = await db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; role: string }>('SELECT id, role FROM users WHERE email = $1 FOR UPDATE', [email]);
        const user = rows[0];
        if (!user) return null;
        await tx.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [user.id, role]);
        await tx.query(
          `INSERT INTO admin_audit_log (actor_id, actor_email, action, target_user_id, before, after)
           VALUES (NULL, 'cli', $1, $2, $3::jsonb, $4::jsonb)`,
          [`user.${command}`, user.id, JSON.stringify({ role: user.role }), JSON.stringify({ role })],
        );
        return user;
      });
      if (!updated) {
        console.error(`no account with email ${email}; sign up first`);
        process.exitCode = 1;
      } else {
        console.log(`${email} is now ${role === 'admin' ? 'an admin' : 'a regular user'}`);
      }
    } else {
      console.error(usage);
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `admin command failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
