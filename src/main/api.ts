import closeWithGrace from 'close-with-grace';
import { buildApp } from '../app.ts';
import { type Config, loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';

/**
 * The API process: serves HTTP and produces jobs; it never consumes a queue. On SIGTERM/SIGINT it
 * stops accepting connections, lets in-flight requests finish (and `alongside`, e.g. a supervised
 * worker, stop in parallel), then releases Postgres and Redis.
 */
export async function startApi(
  config: Config = loadConfig(),
  options: { alongside?: { stop: (signal: NodeJS.Signals) => Promise<void>; graceMs: number } } = {},
) {
  const container = await createContainer(config, { role: 'api' });
  const app = await buildApp(container);
  closeWithGrace(
    { delay: config.SHUTDOWN_TIMEOUT_MS + (options.alongside?.graceMs ?? 0) },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an error');
      else app.log.info({ signal }, 'shutting down');
      const alongside = options.alongside?.stop(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      await app.close();
      await alongside;
      await container.close();
    },
  );
  await app.listen({ port: config.PORT, host: config.HOST });
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  app.log.info({ docs: `http://${host}:${config.PORT}/docs` }, 'API docs');
  const consoleUrl = `http://${host}:${config.PORT}/console`;
  app.log.info({ console: consoleUrl }, `Staff console (sign in with a staff user): ${consoleUrl}`);
  return app;
}

if (import.meta.main) await startApi();
