import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginLockout } from '../../src/modules/auth/login-lockout.ts';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { insertUser } from '../support/database.ts';
import { uid } from '../support/ids.ts';
import { sleep } from '../support/polling.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Per-username sign-in lockout: guesses at one account's password from many addresses are stopped
 * after LOGIN_LOCKOUT_THRESHOLD failures, unknown usernames behave exactly like real ones, a correct
 * password resets the count, and no lock outlasts LOGIN_LOCKOUT_MAX_SECONDS.
 */
const THRESHOLD = 3;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD),
    LOGIN_LOCKOUT_SECONDS: '60',
    LOGIN_LOCKOUT_MAX_SECONDS: '600',
  });
});
afterAll(() => t.close());

let address = 0;
/** Each attempt from another client address: the per-address rate limit is not what stops them. */
const signIn = (app: TestApp['app'], username: string, password: string) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { username, password },
    remoteAddress: `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`,
  });

async function newUser(target: TestApp = t, password = `pw-${uid()}-secret`) {
  const username = await insertUser(target.container.db, {
    username: `lk-${uid().toLowerCase()}`,
    password,
    fullName: 'Người bị dò mật khẩu',
    role: 'admin',
  });
  return { username, password };
}

function expectLocked(res: LightMyRequestResponse): number {
  expectProblem(res, 429);
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${res.headers['retry-after']}`).toBe(
    true,
  );
  expect(res.json().detail).toMatch(/Đăng nhập sai quá nhiều lần.*thử lại sau \d+ giây/);
  return retryAfter;
}

describe('per-username lockout', () => {
  it('locks a username after THRESHOLD failures from different addresses; then even the right password gets 429', async () => {
    const { username, password } = await newUser();
    for (let i = 0; i < THRESHOLD; i++) expectProblem(await signIn(t.app, username, `guess-${i}`), 401);
    const wait = expectLocked(await signIn(t.app, username, 'guess-more'));
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    // Locked means locked: the right password does not get through either (or guessing would go on).
    expectLocked(await signIn(t.app, username, password));
    // The lock is per username: another account is not affected.
    const other = await newUser();
    expect((await signIn(t.app, other.username, other.password)).statusCode).toBe(200);
  });

  it('answers an unknown username exactly like a real one: 401 THRESHOLD times, then 429', async () => {
    const real = await newUser();
    const unknown = `nobody-${uid().toLowerCase()}`;
    const answers = async (username: string) => {
      const out: { status: number; retryAfter?: string; type: string; title: string; detail: string }[] = [];
      for (let i = 0; i < THRESHOLD + 2; i++) {
        const res = await signIn(t.app, username, `guess-${i}`);
        const { type, title, detail } = res.json();
        out.push({
          status: res.statusCode,
          ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
          type,
          title,
          detail,
        });
      }
      return out;
    };
    const [forReal, forUnknown] = await Promise.all([answers(real.username), answers(unknown)]);
    expect(forReal.map((a) => a.status)).toEqual([...Array(THRESHOLD).fill(401), 429, 429]);
    // Same statuses, problem types, titles and details; Retry-After the same but for the seconds
    // that passed between the two runs.
    const seconds = (a: (typeof forReal)[number]) => ({
      ...a,
      retryAfter: undefined,
      detail: a.detail.replace(/\d+/g, 'N'),
    });
    expect(forUnknown.map(seconds)).toEqual(forReal.map(seconds));
    for (const [i, a] of forUnknown.entries())
      expect(Math.abs(Number(a.retryAfter ?? 0) - Number(forReal[i]?.retryAfter ?? 0))).toBeLessThanOrEqual(
        2,
      );
  });

  it('counts the username as sign-in looks it up (case and surrounding spaces do not matter)', async () => {
    const { username } = await newUser();
    const spellings = [username.toUpperCase(), ` ${username}`, `${username} `, username];
    for (let i = 0; i < THRESHOLD; i++)
      expectProblem(await signIn(t.app, spellings[i % spellings.length] as string, 'wrong-password'), 401);
    expectLocked(await signIn(t.app, username.toUpperCase(), 'wrong-password'));
  });

  it('a correct password resets the count', async () => {
    const { username, password } = await newUser();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < THRESHOLD - 1; i++) expectProblem(await signIn(t.app, username, `guess-${i}`), 401);
      const ok = await signIn(t.app, username, password);
      expect(ok.statusCode, ok.body).toBe(200);
    }
    // After the last success the count starts from zero again.
    for (let i = 0; i < THRESHOLD; i++) expectProblem(await signIn(t.app, username, `again-${i}`), 401);
    expectLocked(await signIn(t.app, username, 'again'));
  });

  it('concurrent guesses cannot slip past the threshold', async () => {
    const { username } = await newUser();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signIn(t.app, username, `parallel-${i}`)),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(THRESHOLD);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - THRESHOLD);
  });

  it('keeps its state in Redis under REDIS_PREFIX, without the username, and every key expires', async () => {
    const { username } = await newUser();
    for (let i = 0; i < THRESHOLD; i++) await signIn(t.app, username, `guess-${i}`);
    const keys = await t.container.redis.keys(`${t.config.REDIS_PREFIX}:login-*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const key of keys) {
      expect(key).not.toContain(username);
      const ttl = await t.container.redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(2 * 600 * 1000);
    }
  });

  it('another replica (same Redis prefix) sees the lock', async () => {
    const { username, password } = await newUser();
    for (let i = 0; i < THRESHOLD; i++) expectProblem(await signIn(t.app, username, `guess-${i}`), 401);
    const replica = await createTestApp({
      REDIS_PREFIX: t.config.REDIS_PREFIX,
      LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD),
    });
    try {
      expectLocked(await signIn(replica.app, username, password));
    } finally {
      await replica.close();
    }
  });

  it('the queue dashboard sign-in shares the lockout: it is no way around it', async () => {
    const admin = {
      username: await insertUser(t.container.db, {
        username: `lkadmin-${uid().toLowerCase()}`,
        password: 'admin-password-123',
        fullName: 'Quản trị',
        role: 'admin',
      }),
    };
    const basic = (password: string) => ({
      authorization: `Basic ${Buffer.from(`${admin.username}:${password}`).toString('base64')}`,
    });
    for (let i = 0; i < THRESHOLD; i++) expectProblem(await signIn(t.app, admin.username, `guess-${i}`), 401);
    const board = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: basic('admin-password-123'),
    });
    expect(board.statusCode).toBe(429);
    expect(Number(board.headers['retry-after'])).toBeGreaterThan(0);
    // And guesses on the dashboard count towards the lock of the API sign-in.
    const other = await newUser();
    for (let i = 0; i < THRESHOLD; i++)
      expect(
        (
          await t.app.inject({
            method: 'GET',
            url: '/admin/queues',
            headers: {
              authorization: `Basic ${Buffer.from(`${other.username}:guess-${i}`).toString('base64')}`,
            },
          })
        ).statusCode,
      ).toBe(401);
    expectLocked(await signIn(t.app, other.username, other.password));
  });

  it('a dashboard username with a NUL byte is refused with 401, not a database error', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: `Basic ${Buffer.from('ad\u0000min:password').toString('base64')}` },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('the lock is bounded and backs off exponentially', () => {
  it('doubles the lock after each failure that follows one, up to LOGIN_LOCKOUT_MAX_SECONDS; locked attempts do not count', async () => {
    // The lockout itself, on the test's Redis, with a prefix of its own; a lock running out is
    // simulated by deleting its key (what Redis does when it expires).
    const prefix = `${t.config.REDIS_PREFIX}-backoff`;
    const lockout = createLoginLockout({
      redis: t.container.redis,
      prefix,
      threshold: 2,
      lockSeconds: 60,
      maxLockSeconds: 300,
    });
    const lockTtl = async () => {
      const [key] = await t.container.redis.keys(`${prefix}:login-lock:*`);
      return key ? t.container.redis.pttl(key) : -2;
    };
    const expire = async () => {
      for (const key of await t.container.redis.keys(`${prefix}:login-lock:*`))
        await t.container.redis.del(key);
    };
    const name = `victim-${uid().toLowerCase()}`;
    expect(await lockout.attempt(name)).toBe(0);
    expect(await lockTtl()).toBe(-2);
    expect(await lockout.attempt(name)).toBe(0); // the 2nd failure in a row: locked from now on
    const locks: number[] = [];
    for (let round = 0; round < 5; round++) {
      const ttl = await lockTtl();
      locks.push(Math.round(ttl / 1000));
      // While locked, attempts are refused with the time left, and neither counted nor lengthen it.
      for (let i = 0; i < 3; i++) {
        const wait = await lockout.attempt(name);
        expect(wait).toBeGreaterThan(ttl - 2_000);
        expect(wait).toBeLessThanOrEqual(ttl);
      }
      await expire();
      expect(await lockout.attempt(name)).toBe(0); // one more guess once the lock has run out
    }
    expect(locks).toEqual([60, 120, 240, 300, 300]);
    // Every key expires on its own: the failures after twice the longest lock.
    for (const key of await t.container.redis.keys(`${prefix}:*`)) {
      const ttl = await t.container.redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
    }
    // A success forgets it all.
    await lockout.succeeded(name);
    expect(await t.container.redis.keys(`${prefix}:*`)).toEqual([]);
    expect(await lockout.attempt(name)).toBe(0);
  });

  it('when the lock runs out, the right password gets in (and resets the count)', async () => {
    const fast = await createTestApp({
      LOGIN_LOCKOUT_THRESHOLD: '2',
      LOGIN_LOCKOUT_SECONDS: '1',
      LOGIN_LOCKOUT_MAX_SECONDS: '1',
    });
    try {
      const { username, password } = await newUser(fast);
      expectProblem(await signIn(fast.app, username, 'a'), 401);
      expectProblem(await signIn(fast.app, username, 'b'), 401);
      expect(expectLocked(await signIn(fast.app, username, password))).toBe(1);
      // Polling, so that a busy machine does not make this flaky; the lock is a second at most.
      const started = Date.now();
      let res = await signIn(fast.app, username, password);
      while (res.statusCode === 429) {
        expect(Date.now() - started, 'still locked').toBeLessThan(10_000);
        await sleep(200);
        res = await signIn(fast.app, username, password);
      }
      expect(res.statusCode, res.body).toBe(200);
      // The count starts again: one failure is not a lock.
      expectProblem(await signIn(fast.app, username, 'c'), 401);
      const ok = await signIn(fast.app, username, password);
      expect(ok.statusCode, ok.body).toBe(200);
      await call(
        fast.app,
        { method: 'GET', url: '/api/v1/categories', headers: bearer(ok.json().accessToken) },
        200,
      );
    } finally {
      await fast.close();
    }
  }, 60_000);
});

describe('without Redis', () => {
  it('sign-in still works (the lockout steps aside, as the rate limiter does)', async () => {
    const { username, password } = await newUser();
    const noRedis = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' }).catch((err: Error) => err);
    if (noRedis instanceof Error) throw noRedis;
    try {
      const res = await signIn(noRedis.app, username, password);
      expect(res.statusCode, res.body).toBe(200);
      expectProblem(await signIn(noRedis.app, username, 'wrong'), 401);
    } finally {
      await noRedis.close();
    }
  });
});
