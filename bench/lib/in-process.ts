/**
 * The app built in-process on a run's fresh database, as src/main/api.ts builds it, for benchmarks
 * that call it with app.inject() (bench/campaigns, bench/nearby): the database created, migrated and
 * given its admin by `bootstrap` as `npm start` does; Redis under the run's prefix; errors-only
 * logging; load shedding off (one request at a time never overloads the app, but a lag from other work
 * on the machine must not shed a measured request). Closed by the run's clean-up.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type Container, createContainer } from '../../src/container.ts';
import { bootstrap } from '../../src/main/bootstrap.ts';
import type { serverRun } from './server-run.ts';

export async function startInProcessApp(
  run: ReturnType<typeof serverRun>,
  admin: { username: string; password: string },
  settings: Record<string, string> = {},
): Promise<{ app: FastifyInstance; container: Container }> {
  await run.createDatabase();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: run.dbUrl,
    REDIS_URL: run.redisUrl,
    REDIS_PREFIX: run.redisPrefix,
    LOG_LEVEL: 'error',
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
    OVERLOAD_EVENT_LOOP_DELAY_MS: '0',
    ...settings,
  });
  await bootstrap(config, pino({ level: 'error' }));
  const container = await createContainer(config, { role: 'api' });
  const app = await buildApp(container);
  await app.ready();
  run.closers.push(async () => {
    await app.close();
    await container.close();
  });
  return { app, container };
}
