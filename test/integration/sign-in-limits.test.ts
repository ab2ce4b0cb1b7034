import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { insertUser } from '../support/database.ts';
import { uid } from '../support/ids.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Sign-in limits as a ward office meets them (issue 16 §5): its staff share one public address, so
 * successful sign-ins never count against the address; failed ones do (LOGIN_ADDRESS_MAX_FAILURES,
 * default 30 in LOGIN_ADDRESS_WINDOW_SECONDS, default 600), which stops one address spraying guesses
 * over many usernames; guessing one account's password is stopped by the per-username lockout.
 * The app runs with the defaults (the test support does not set these).
 */
const MAX_FAILURES = 30;
const WINDOW_SECONDS = 600;
const USERNAME_THRESHOLD = 5;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect(t.config.LOGIN_ADDRESS_MAX_FAILURES).toBe(MAX_FAILURES);
  expect(t.config.LOGIN_ADDRESS_WINDOW_SECONDS).toBe(WINDOW_SECONDS);
  expect(t.config.LOGIN_LOCKOUT_THRESHOLD).toBe(USERNAME_THRESHOLD);
});
afterAll(() => t.close());

/** A public address of the test's own (the app does not trust X-Forwarded-For: TRUST_PROXY is off). */
let lastOctet = 0;
const newAddress = () => `198.51.100.${++lastOctet}`;

const signIn = (remoteAddress: string, username: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { username, password }, remoteAddress });

async function colleagues(n: number) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const password = `mat-khau-${i}-${uid()}`;
      const username = await insertUser(t.container.db, {
        username: `vp-${i}-${uid().toLowerCase()}`,
        password,
        fullName: `Cán bộ văn phòng ${i + 1}`,
        role: 'admin',
      });
      return { username, password };
    }),
  );
}

function expectAddressLimited(res: LightMyRequestResponse): number {
  const body = expectProblem(res, 429) as { detail?: string };
  expect(body.detail).toMatch(
    /quá nhiều lần đăng nhập sai từ địa chỉ mạng này; vui lòng thử lại sau \d+ giây/,
  );
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${res.headers['retry-after']}`).toBe(
    true,
  );
  return retryAfter;
}

describe('a ward office behind one address', () => {
  it('twenty colleagues sign in within a minute, one after another and all at once: every one gets a token', async () => {
    const office = newAddress();
    const staff = await colleagues(20);
    for (const c of staff) {
      const res = await signIn(office, c.username, c.password);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().accessToken).toEqual(expect.any(String));
    }
    // The same twenty again, at the same instant (the morning rush).
    const again = await Promise.all(staff.map((c) => signIn(office, c.username, c.password)));
    expect(again.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
  }, 180_000);

  it('successful sign-ins leave the whole failure allowance to the address', async () => {
    const office = newAddress();
    const staff = await colleagues(3);
    for (let round = 0; round < 5; round++)
      for (const c of staff) expect((await signIn(office, c.username, c.password)).statusCode).toBe(200);
    // 15 successes later, the office may still mistype MAX_FAILURES times before it is held up.
    for (let i = 0; i < MAX_FAILURES; i++)
      expectProblem(await signIn(office, `nobody-${i}-${uid().toLowerCase()}`, 'sai-mat-khau'), 401);
    expectAddressLimited(await signIn(office, `nobody-${uid().toLowerCase()}`, 'sai-mat-khau'));
  }, 180_000);

  it('a colleague hammering their own locked account does not hold up the others', async () => {
    const office = newAddress();
    const [locked, other] = await colleagues(2);
    if (!locked || !other) throw new Error('no colleagues');
    for (let i = 0; i < USERNAME_THRESHOLD; i++)
      expectProblem(await signIn(office, locked.username, `doan-${i}`), 401);
    // Locked: these check no password, so they are no failures of the address.
    for (let i = 0; i < MAX_FAILURES + 5; i++) {
      const res = await signIn(office, locked.username, locked.password);
      expectProblem(res, 429);
      expect(res.json().detail).toMatch(/Đăng nhập sai quá nhiều lần với tên đăng nhập này/);
    }
    const res = await signIn(office, other.username, other.password);
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('password spraying from one address', () => {
  it(`answers 429 with Retry-After and a Vietnamese detail once ${MAX_FAILURES} attempts failed, whatever the usernames`, async () => {
    const sprayer = newAddress();
    const [victim] = await colleagues(1);
    if (!victim) throw new Error('no victim');
    // One guess per username (real and unknown alike): no username lockout is ever reached.
    for (let i = 0; i < MAX_FAILURES; i++) {
      const username = i === 7 ? victim.username : `user-${i}-${uid().toLowerCase()}`;
      expectProblem(await signIn(sprayer, username, 'Matkhau@123'), 401);
    }
    const wait = expectAddressLimited(await signIn(sprayer, `user-x-${uid().toLowerCase()}`, 'Matkhau@123'));
    expect(wait).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(wait).toBeLessThanOrEqual(WINDOW_SECONDS);
    // The address is held up whatever it sends, even a right password (it may be the sprayer's hit)…
    expectAddressLimited(await signIn(sprayer, victim.username, victim.password));
    // …and refused attempts do not lengthen the wait.
    expect(expectAddressLimited(await signIn(sprayer, 'ai-do', 'x'))).toBeLessThanOrEqual(wait);
    // Other addresses are not: the victim signs in from the office.
    const res = await signIn(newAddress(), victim.username, victim.password);
    expect(res.statusCode, res.body).toBe(200);
  }, 180_000);

  it('concurrent guesses cannot slip past the limit', async () => {
    const sprayer = newAddress();
    const results = await Promise.all(
      Array.from({ length: MAX_FAILURES + 10 }, (_, i) =>
        signIn(sprayer, `song-song-${i}-${uid().toLowerCase()}`, 'sai-mat-khau'),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  }, 180_000);

  it('keeps its count in Redis under REDIS_PREFIX, without the address, expiring with the window', async () => {
    const sprayer = newAddress();
    expectProblem(await signIn(sprayer, `ai-${uid().toLowerCase()}`, 'sai'), 401);
    const keys = await t.container.redis.keys(`${t.config.REDIS_PREFIX}:login-address-failures:*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).not.toContain(sprayer);
      const ttl = await t.container.redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
    }
  });
});

describe('guessing one account', () => {
  it(`is still stopped by the per-username lockout after ${USERNAME_THRESHOLD} failures, long before the address limit`, async () => {
    const address = newAddress();
    const [target] = await colleagues(1);
    if (!target) throw new Error('no target');
    for (let i = 0; i < USERNAME_THRESHOLD; i++)
      expectProblem(await signIn(address, target.username, `doan-${i}`), 401);
    const res = await signIn(address, target.username, target.password);
    expectProblem(res, 429);
    expect(res.json().detail).toMatch(
      /Đăng nhập sai quá nhiều lần với tên đăng nhập này; vui lòng thử lại sau \d+ giây/,
    );
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('configuration', () => {
  it('takes the threshold and window from LOGIN_ADDRESS_MAX_FAILURES and LOGIN_ADDRESS_WINDOW_SECONDS', async () => {
    const strict = await createTestApp({
      LOGIN_ADDRESS_MAX_FAILURES: '2',
      LOGIN_ADDRESS_WINDOW_SECONDS: '120',
    });
    try {
      const attempt = (username: string) =>
        strict.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: { username, password: 'sai-mat-khau' },
          remoteAddress: '192.0.2.10',
        });
      expectProblem(await attempt('mot'), 401);
      expectProblem(await attempt('hai'), 401);
      const third = await attempt('ba');
      expectProblem(third, 429);
      expect(Number(third.headers['retry-after'])).toBeLessThanOrEqual(120);
    } finally {
      await strict.close();
    }
  });
});
