import { readFile, writeFile } from 'node:fs/promises';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createContainer } from '../container.ts';

// npm run openapi (write) | npm run openapi:check (fail when openapi/openapi.json differs from the code)
const target = new URL('../../openapi/openapi.json', import.meta.url);

/** The OpenAPI document as generated from the routes' zod schemas. Touches neither Postgres nor Redis. */
async function generateOpenApi(): Promise<string> {
  const container = await createContainer(loadConfig({}), {
    role: 'api',
    jwtSecret: 'openapi-generation-only-not-a-real-secret',
    lazyRedis: true,
  });
  const app = await buildApp(container, { logger: false });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await container.close();
  }
}

if (import.meta.main) {
  const mode = process.argv[2] ?? 'write';
  const generated = await generateOpenApi();
  if (mode === 'check') {
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== generated) {
      process.stderr.write(
        'openapi/openapi.json is out of date: run `npm run openapi` and commit the result.\n',
      );
      process.exit(1);
    }
    process.stdout.write('openapi/openapi.json is current\n');
  } else {
    await writeFile(target, generated);
    process.stdout.write(`wrote ${target.pathname}\n`);
  }
}
