import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.ts';
import { loggerOptions } from '../shared/logger.ts';
import { startApi } from './api.ts';
import { bootstrap } from './bootstrap.ts';

// npm start: prepare the database (create, migrate, first admin), then serve.
try {
  const config = loadConfig();
  await bootstrap(config, pino({ ...loggerOptions(config.LOG_LEVEL), name: 'bootstrap' }));
  await startApi();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`pakn failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
}
