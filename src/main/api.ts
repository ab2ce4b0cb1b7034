import closeWithGrace from 'close-with-grace';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';

/** The API process: serves HTTP and produces jobs; it never consumes a queue. */
export async function startApi() {
  const config = loadConfig();
  const container = await createContainer(config, { role: 'api' });
  const app = await buildApp(container);
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    // Stops accepting connections, lets in-flight requests finish, then releases Postgres and Redis.
    await app.close();
    await container.close();
  });
  await app.listen({ port: config.PORT, host: config.HOST });
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  app.log.info({ docs: `http://${host}:${config.PORT}/docs` }, 'API docs');
  return app;
}

if (import.meta.main) await startApi();
