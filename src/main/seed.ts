import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';
import { formatSummary, runSeed } from '../seed/run-seed.ts';
import { loggerOptions } from '../shared/logger.ts';
import { bootstrap } from './bootstrap.ts';

// npm run seed: prepare the database (create, migrate, first admin), then load the demo ward, its staff,
// the channel clients and a few cases. Safe to run again: existing records are left as they are.

try {
  const config = loadConfig();
  const password = config.SEED_PASSWORD;

  const log = pino({ ...loggerOptions(config.LOG_LEVEL), name: 'seed' });
  await bootstrap(config, log);
  // The seed writes to Postgres only; Redis is connected lazily, i.e. never.
  const container = await createContainer(config, { role: 'api', lazyRedis: true });
  try {
    const summary = await runSeed(container, { password });
    process.stdout.write(
      formatSummary(summary, { password, adminUsername: config.ADMIN_USERNAME, port: config.PORT }),
    );
  } finally {
    await container.close();
  }
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`pakn seed failed: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
}
