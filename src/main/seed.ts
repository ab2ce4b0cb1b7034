import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';
import { formatSummary, runSeed } from '../seed/run-seed.ts';
import { loggerOptions } from '../shared/logger.ts';
import { bootstrap } from './bootstrap.ts';

// npm run seed: prepare the database (create, migrate, first admin), then load the demo ward, its staff,
// the channel clients and a few cases. Safe to run again: existing records are left as they are.

// The demo password is a setting of this script only, not of the service, so it is read here.
const seedPassword = z
  .string()
  .min(10, 'SEED_PASSWORD must be at least 10 characters')
  .max(200)
  .default('pakn-demo-2026');

try {
  const config = loadConfig();
  const parsed = seedPassword.safeParse(process.env.SEED_PASSWORD || undefined);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n  ${parsed.error.issues[0]?.message}`);
  const password = parsed.data;

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
