import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '3' });
});
afterAll(() => t.close());

it('limits unauthenticated public routes, answering 429 problem+json with Retry-After', async () => {
  const statuses: number[] = [];
  let last = await t.app.inject({ method: 'GET', url: '/docs/json' });
  statuses.push(last.statusCode);
  for (let i = 0; i < 3; i++) {
    last = await t.app.inject({ method: 'GET', url: '/docs/json' });
    statuses.push(last.statusCode);
  }
  expect(statuses).toEqual([200, 200, 200, 429]);
  expect(last.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(last.headers['retry-after']).toBeDefined();
  expect(last.json().status).toBe(429);
});

it('never limits the liveness and readiness probes', async () => {
  for (let i = 0; i < 6; i++)
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
});

// Sign-in is limited by failed attempts per address and per username: sign-in-limits.test.ts and
// login-lockout.test.ts.
