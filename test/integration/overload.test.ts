import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { captureLogs } from '../support/logs.ts';
import { until } from '../support/polling.ts';
import { expectProblem } from '../support/problems.ts';

// When the API's event loop lags behind (more work arrives than one process can serve), it refuses new
// requests at once with 503 and Retry-After instead of queueing them until their clients give up.
// The lag is made here by keeping the test's own event loop busy, as a flood of requests would.

let t: TestApp;
const log = captureLogs();

// The threshold is well above what a busy machine's own lag reaches (the browser tests run beside
// this file), and the lag made below well above the threshold: the test is about shedding, not about
// how busy the machine is.
beforeAll(async () => {
  t = await createTestApp({ OVERLOAD_EVENT_LOOP_DELAY_MS: '500' }, { logger: log.logger });
});
afterAll(() => t.close());

/** Busy for `ms`, handing the event loop back every second so that timers see the delay. */
async function lag(ms: number, enough: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !enough()) {
    const slice = Date.now() + 1_000;
    while (Date.now() < slice) {
      // spin
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('load shedding', () => {
  it('refuses requests with 503 problem+json while the event loop lags, keeps /health, and recovers', async () => {
    const wards = { method: 'GET' as const, url: '/api/v1/wards', headers: bearer(t.adminToken) };
    await call(t.app, wards, 200);
    expect(t.app.isUnderPressure()).toBe(false);

    await lag(10_000, () => t.app.isUnderPressure());
    expect(t.app.isUnderPressure()).toBe(true);

    const refused = await t.app.inject(wards);
    expectProblem(refused, 503);
    expect(refused.json().type).toBe('urn:pakn:problem:overloaded');
    expect(refused.json().detail).toMatch(/quá tải/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Logged as a warning, not as an error: shedding is the API working as meant.
    const lines = log.lines.filter((l) => l.includes(refused.json().requestId));
    expect(lines.some((l) => l.includes('"level":40') && l.includes('request shed'))).toBe(true);
    expect(lines.some((l) => l.includes('"level":50'))).toBe(false);
    const intake = await t.app.inject({ method: 'POST', url: '/api/v1/cases', payload: {} });
    expectProblem(intake, 503);
    // Liveness stays up (a restart would not help); readiness says to send traffic elsewhere.
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ method: 'GET', url: '/ready' }), 503);

    await until(
      () => !t.app.isUnderPressure(),
      5_000,
      () => 'still under pressure',
    );
    await call(t.app, wards, 200);
  });
});
