import { pino } from 'pino';
import { loadConfig } from '../config.ts';
import { createDb } from '../db/database.ts';
import { assertMigrated, createMigrator, ensureDatabase } from '../db/migrate.ts';

// npm run migrate (latest) | npm run migrate:down (undo the last migration)
const log = pino({ name: 'migrate' });
const direction = process.argv[2] ?? 'latest';
const config = loadConfig();
await ensureDatabase(config.DATABASE_URL);
const db = createDb({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'pakn-migrate' });
try {
  const migrator = createMigrator(db);
  const result = direction === 'down' ? await migrator.migrateDown() : await migrator.migrateToLatest();
  for (const r of result.results ?? [])
    log.info({ migration: r.migrationName, direction: r.direction, status: r.status });
  assertMigrated(result);
  if (!result.results?.length) log.info('nothing to do');
} catch (err) {
  log.error({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await db.destroy();
}
