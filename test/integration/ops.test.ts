import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { type Container, createContainer } from '../../src/container.ts';
import { bearer, call, createTestApp, metricsAuth, type TestApp, testConfig } from '../support/app.ts';
import { createIsolatedDatabase } from '../support/database.ts';
import { uid } from '../support/ids.ts';
import { signJwt } from '../support/jwt.ts';
import { until } from '../support/polling.ts';
import { expectProblem } from '../support/problems.ts';

const JWT_SECRET = `ops-test-secret-${'z'.repeat(40)}`;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** The API's Redis client refuses commands until connected; wait so /ready measures steady state. */
async function redisReady(container: Container) {
  // At most 5 s: where it is not ready by then, the test goes on and says what it finds.
  await until(
    () => container.redis.status === 'ready',
    5_000,
    () => `Redis ${container.redis.status}`,
    20,
  ).catch(() => {});
}

/** Builds an app over a container made from the given environment, runs `fn`, and closes both. */
async function withApp(env: Record<string, string>, fn: (app: FastifyInstance) => Promise<void>) {
  const container: Container = await createContainer(testConfig({ JWT_SECRET, ...env }), { role: 'api' });
  // BullMQ prints Redis errors to the console when nobody listens; these tests expect them.
  for (const q of Object.values(container.queues)) q.on('error', () => {});
  if (!env.REDIS_URL) await redisReady(container);
  try {
    const app = await buildApp(container, { logger: false });
    try {
      await app.ready();
      await fn(app);
    } finally {
      await app.close();
    }
  } finally {
    await container.close();
  }
}

describe('health and readiness', () => {
  it('GET /health → 200 ok', async () => {
    const res = await call(t.app, { method: 'GET', url: '/health' }, 200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready → 200 with every check ok', async () => {
    const res = await call(t.app, { method: 'GET', url: '/ready' }, 200);
    // Further informational checks (e.g. worker) may be present; the three that gate readiness are ok.
    expect(res.json()).toMatchObject({
      status: 'ok',
      checks: { database: 'ok', redis: 'ok', migrations: 'ok' },
    });
  });

  it('GET /ready → 503 when Redis is unreachable', async () => {
    const started = Date.now();
    await withApp({ REDIS_URL: 'redis://127.0.0.1:1' }, async (app) => {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json()).toMatchObject({
        status: 'unavailable',
        checks: { database: 'ok', redis: 'down', migrations: 'ok' },
      });
      // Liveness does not depend on Redis.
      await call(app, { method: 'GET', url: '/health' }, 200);
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('GET /ready → 503 when Postgres is unreachable, and data routes answer 503 problems, not 500', async () => {
    await withApp({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/pakn' }, async (app) => {
      const res = await app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().status).toBe('unavailable');
      expect(res.json().checks.database).toBe('down');
      expect(res.json().checks.redis).toBe('ok');
      await call(app, { method: 'GET', url: '/health' }, 200);

      const now = Math.floor(Date.now() / 1000);
      const token = signJwt(
        // A session id: checking it is the first thing that needs Postgres.
        {
          sub: '1',
          usr: 'admin',
          role: 'admin',
          ward: null,
          dept: null,
          sid: 'a'.repeat(32),
          iat: now,
          exp: now + 600,
        },
        JWT_SECRET,
      );
      const list = await app.inject({ method: 'GET', url: '/api/v1/cases', headers: bearer(token) });
      expectProblem(list, 503);
      expect(list.headers['retry-after']).toBeDefined();
      const loginRes = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { username: 'someone', password: 'password-123' },
      });
      expectProblem(loginRes, 503);
    });
  });

  it("GET /ready → 503 'behind' on a database without migrations", async () => {
    const { url: databaseUrl, drop } = await createIsolatedDatabase({ migrated: false });
    try {
      await withApp({ DATABASE_URL: databaseUrl }, async (app) => {
        const res = await app.inject({ method: 'GET', url: '/ready' });
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json()).toMatchObject({
          status: 'unavailable',
          checks: { database: 'ok', redis: 'ok', migrations: 'behind' },
        });
      });
    } finally {
      await drop();
    }
  });
});

describe('metrics', () => {
  it('GET /metrics exposes request latency by route and queue depth in Prometheus text', async () => {
    await call(t.app, { method: 'GET', url: '/health' }, 200);
    await t.app.inject({ method: 'GET', url: '/api/v1/cases/123', headers: bearer(t.adminToken) });
    const res = await call(t.app, { method: 'GET', url: '/metrics', headers: metricsAuth }, 200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain('# TYPE pakn_http_request_duration_seconds histogram');
    expect(text).toMatch(/pakn_http_request_duration_seconds_count\{[^}]*route="\/health"[^}]*\} \d+/);
    // The route label is the pattern, never the concrete id (bounded cardinality).
    expect(text).toMatch(/pakn_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/cases\/:id"/);
    expect(text).not.toContain('route="/api/v1/cases/123"');
    expect(text).toContain('# TYPE pakn_queue_jobs gauge');
    expect(text).toMatch(/pakn_queue_jobs\{[^}]*queue="escalations"[^}]*\} \d+/);
  });

  it('unmatched URLs do not create a label per URL', async () => {
    const path = `/no-such-page-${uid()}`;
    expectProblem(await t.app.inject({ method: 'GET', url: path }), 404);
    const text = (await call(t.app, { method: 'GET', url: '/metrics', headers: metricsAuth }, 200)).body;
    expect(text).not.toContain(path);
  });
});

describe('API documentation', () => {
  it('GET /docs answers 200 or redirects to the UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 301, 302, 303, 307, 308]).toContain(res.statusCode);
    if (res.statusCode !== 200) {
      const target = new URL(res.headers.location as string, 'http://localhost/docs/').pathname;
      expect(target.startsWith('/docs')).toBe(true);
      const ui = await t.app.inject({ method: 'GET', url: target });
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
    } else {
      expect(res.headers['content-type']).toMatch(/text\/html/);
    }
  });

  it('GET /docs/json returns the OpenAPI document with the contract paths', async () => {
    const res = await call(t.app, { method: 'GET', url: '/docs/json' }, 200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/v1/auth/token',
      '/api/v1/wards',
      '/api/v1/cases',
      '/api/v1/cases/{id}',
      '/api/v1/cases/{id}/events',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths['/api/v1/cases'].post).toBeDefined();
    expect(doc.components.securitySchemes.bearerAuth).toBeDefined();
    expect(doc.components.securitySchemes.apiKey).toBeDefined();
  });
});

describe('request ids', () => {
  it('every response carries x-request-id and the security headers, including errors and 404s', async () => {
    const responses = await Promise.all([
      t.app.inject({ method: 'GET', url: '/health' }),
      t.app.inject({ method: 'GET', url: '/api/v1/cases' }), // 401
      t.app.inject({ method: 'GET', url: '/api/v1/cases?limit=0', headers: bearer(t.adminToken) }), // 400
      t.app.inject({ method: 'GET', url: '/nowhere' }), // 404
      t.app.inject({ method: 'GET', url: '/metrics' }),
      t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { ...bearer(t.adminToken), 'content-type': 'application/json' },
        body: '{bad json',
      }),
    ]);
    const seen = new Set<string>();
    for (const res of responses) {
      // helmet's security headers, on successes and errors alike
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(res.headers['content-security-policy']).toBeUndefined();
      const id = res.headers['x-request-id'];
      expect(typeof id, `${res.statusCode} ${res.body.slice(0, 80)}`).toBe('string');
      expect((id as string).length).toBeGreaterThan(0);
      seen.add(id as string);
      if (res.headers['content-type']?.toString().startsWith('application/problem+json'))
        expect(res.json().requestId).toBe(id);
    }
    expect(seen.size).toBe(responses.length);
  });

  it('an incoming X-Request-Id is echoed', async () => {
    const id = `req-${uid()}`;
    const ok = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } });
    expect(ok.headers['x-request-id']).toBe(id);
    const failed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { 'X-Request-Id': id },
    });
    expect(failed.statusCode).toBe(401);
    expect(failed.headers['x-request-id']).toBe(id);
    expect(failed.json().requestId).toBe(id);
  });
});
