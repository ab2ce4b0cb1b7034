import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createDb } from '../db/database.ts';
import { ensureDatabase, migrateToLatest } from '../db/migrate.ts';
import { ensureFirstAdmin } from '../modules/directory/first-admin.ts';

/**
 * Makes a fresh deployment usable: creates the database if missing, applies migrations, and creates
 * the admin from ADMIN_USERNAME/ADMIN_PASSWORD when no admin exists yet.
 */
export async function bootstrap(config: Config, log: Logger): Promise<void> {
  if (await ensureDatabase(config.DATABASE_URL)) log.info('database created');
  const db = createDb({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'pakn-bootstrap' });
  try {
    const applied = await migrateToLatest(db);
    log.info({ applied }, applied.length ? 'migrations applied' : 'migrations current');

    // A generated password is shown only by the process that created the admin with it.
    const password = config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    if (await ensureFirstAdmin(db, { username: config.ADMIN_USERNAME, password })) {
      log.info({ username: config.ADMIN_USERNAME }, 'admin created');
      if (config.ADMIN_PASSWORD === undefined) {
        // Shown once, on the terminal only (not through the logger), as ADMIN_PASSWORD was not set.
        process.stderr.write(
          `\n  No ADMIN_PASSWORD was set, so one was generated for "${config.ADMIN_USERNAME}": ${password}\n` +
            '  Keep it now; it is not shown again.\n\n',
        );
      }
    }
  } finally {
    await db.destroy();
  }
}
