import { createHmac, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call, createTestApp, type TestApp } from '../support/app.ts';
import { createWard, type Ward } from '../support/fixtures.ts';
import { uid } from '../support/ids.ts';
import { signJwt } from '../support/jwt.ts';
import { captureLogs, expectNoLeaks } from '../support/logs.ts';
import { expectProblem } from '../support/problems.ts';

/**
 * Bearer tokens that must not get in, signed (where it matters) with the deployment's real secret:
 * without JWT_SECRET in the environment it is generated once and kept in the database
 * (src/db/secrets.ts), which is where this test reads it from.
 */
const log = captureLogs();
let t: TestApp;
let ward: Ward;
let secret: string;

beforeAll(async () => {
  t = await createTestApp({}, { logger: log.logger });
  expect(t.config.JWT_SECRET).toBeUndefined();
  secret = (
    await t.container.db
      .selectFrom('app_secrets')
      .select('value')
      .where('name', '=', 'jwt')
      .executeTakeFirstOrThrow()
  ).value;
  ward = await createWard(t);
});
afterAll(() => t.close());

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url');
const parts = (token: string) => token.split('.') as [string, string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString('utf8'));
const now = () => Math.floor(Date.now() / 1000);
/** The claims of the ward's intake token, re-signable with changes. */
const intakeClaims = () => payloadOf(ward.tokens.intake) as Record<string, unknown>;
const hmac = (alg: 'sha256' | 'sha384' | 'sha512', input: string, key: string | Buffer) =>
  createHmac(alg, key).update(input).digest('base64url');
/** A JWS with any header, HMAC-SHA256-signed with `key` (or with the given signature). */
const forge = (header: object, payload: object, signature?: (input: string) => string) => {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${signature ? signature(input) : hmac('sha256', input, secret)}`;
};

/** Requests every forged token is tried on: a staff read, an admin-only write, an intake action. */
const probes = () => [
  { method: 'GET' as const, url: '/api/v1/cases' },
  { method: 'GET' as const, url: '/api/v1/wards' },
  {
    method: 'POST' as const,
    url: '/api/v1/wards',
    payload: { code: `TK${uid()}`.slice(0, 20), name: 'Phường giả mạo' },
  },
  {
    method: 'POST' as const,
    url: '/api/v1/users',
    payload: {
      username: `evil-${uid().toLowerCase()}`,
      password: 'password-123',
      fullName: 'Kẻ giả mạo',
      role: 'admin',
    },
  },
];

async function expectRefused(name: string, authorization: string) {
  for (const probe of probes()) {
    const res = await t.app.inject({ ...probe, headers: { authorization } });
    expect(res.statusCode, `${name} on ${probe.method} ${probe.url}: ${res.body}`).toBe(401);
    const problem = expectProblem(res, 401) as { detail?: string };
    expect(problem.detail).toBeTypeOf('string');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  }
}

describe('the forger is right (sanity)', () => {
  it('a token it signs with the real secret and sound claims is accepted', async () => {
    const token = forge({ alg: 'HS256', typ: 'JWT' }, { ...intakeClaims(), iat: now(), exp: now() + 600 });
    await call(t.app, { method: 'GET', url: '/api/v1/cases?limit=1', headers: bearer(token) }, 200);
    // An intake token may not write the directory: 403, not 401.
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/wards',
        headers: bearer(token),
        payload: { code: 'X' },
      }),
      403,
    );
  });

  it('the bearer scheme is case-insensitive (RFC 9110), so that is not what refuses the tokens below', async () => {
    await call(
      t.app,
      {
        method: 'GET',
        url: '/api/v1/cases?limit=1',
        headers: { authorization: `bearer ${ward.tokens.intake}` },
      },
      200,
    );
  });
});

describe('refused bearer tokens (401 problem+json)', () => {
  it('tampered signature', async () => {
    const [h, p, s] = parts(ward.tokens.intake);
    const flipped = `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
    await expectRefused('flipped signature', `Bearer ${h}.${p}.${flipped}`);
    await expectRefused('truncated signature', `Bearer ${h}.${p}.${s.slice(0, -4)}`);
    await expectRefused('no signature', `Bearer ${h}.${p}.`);
    await expectRefused("another token's signature", `Bearer ${h}.${p}.${parts(t.adminToken)[2]}`);
    await expectRefused(
      'signature of another secret',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, intakeClaims(), (i) => hmac('sha256', i, `${secret}x`))}`,
    );
  });

  it('tampered payload: role escalation and another ward, with the original signature', async () => {
    const [h, , s] = parts(ward.tokens.intake);
    for (const change of [
      { role: 'admin' },
      { role: 'admin', ward: null, dept: null },
      { ward: String(Number(ward.id) + 1) },
      { sub: String(Number(intakeClaims().sub) + 1) },
      { exp: now() + 86_400 * 365 },
    ]) {
      const p = b64(JSON.stringify({ ...intakeClaims(), ...change }));
      expect(p, JSON.stringify(change)).not.toBe(parts(ward.tokens.intake)[1]);
      await expectRefused(`payload ${JSON.stringify(change)}`, `Bearer ${h}.${p}.${s}`);
    }
    // Nothing was created by the attempts.
    const evil = await t.container.db
      .selectFrom('users')
      .select('id')
      .where('full_name', '=', 'Kẻ giả mạo')
      .execute();
    expect(evil).toHaveLength(0);
  });

  it('expired, not yet valid, or without an expiry — though signed with the real secret', async () => {
    const claims = intakeClaims();
    await expectRefused(
      'expired an hour ago',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now() - 7200, exp: now() - 3600 })}`,
    );
    await expectRefused(
      'expired a few seconds ago',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now() - 3605, exp: now() - 5 })}`,
    );
    await expectRefused(
      'not valid before tomorrow',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now(), nbf: now() + 86_400, exp: now() + 90_000 })}`,
    );
    const { exp: _exp, ...forever } = claims;
    await expectRefused('no exp', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, forever)}`);
    await expectRefused(
      'exp as a string',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: String(now() + 600) })}`,
    );
  });

  it('alg none, in any spelling, with or without a signature', async () => {
    const claims = { ...intakeClaims(), role: 'admin', exp: now() + 600 };
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await expectRefused(`alg ${alg}`, `Bearer ${signJwt(claims, null, alg)}`);
      await expectRefused(`alg ${alg} with a signature`, `Bearer ${forge({ alg, typ: 'JWT' }, claims)}`);
    }
    await expectRefused('no alg', `Bearer ${forge({ typ: 'JWT' }, claims)}`);
  });

  it('other algorithms: HS384/HS512 with the real secret, RS256 and ES256 headers (key confusion)', async () => {
    const claims = { ...intakeClaims(), exp: now() + 600 };
    await expectRefused('HS384', `Bearer ${signJwt(claims, secret, 'HS384')}`);
    await expectRefused('HS512', `Bearer ${signJwt(claims, secret, 'HS512')}`);
    // RS256 header, HMAC'd with the secret as if it were a public key.
    await expectRefused(
      'RS256 header, HMAC signature',
      `Bearer ${forge({ alg: 'RS256', typ: 'JWT' }, claims)}`,
    );
    // A real RS256 signature with a key of the attacker's, offered inline.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const rs = forge({ alg: 'RS256', typ: 'JWT', jwk }, claims, (input) =>
      rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url'),
    );
    await expectRefused('RS256 with an embedded jwk', `Bearer ${rs}`);
    await expectRefused('ES256 header', `Bearer ${forge({ alg: 'ES256', typ: 'JWT' }, claims)}`);
    await expectRefused(
      'kid/jku pointing elsewhere',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null', jku: 'http://127.0.0.1:9/jwks' }, claims, (i) => hmac('sha256', i, ''))}`,
    );
    await expectRefused(
      'crit header',
      `Bearer ${forge({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims)}`,
    );
  });

  it('ill-typed claims, even when signed with the real secret', async () => {
    const claims = { ...intakeClaims(), exp: now() + 600 };
    for (const change of [
      { role: 'superuser' },
      { role: ['admin'] },
      { sub: 42 },
      { ward: {} },
      { usr: null },
    ]) {
      await expectRefused(
        `claims ${JSON.stringify(change)}`,
        `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, ...change })}`,
      );
    }
    await expectRefused('payload not an object', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, ['admin'])}`);
  });

  it('garbage and empty bearers', async () => {
    for (const token of [
      'garbage',
      'a.b.c',
      '...',
      'e30.e30.e30',
      'e30.e30.',
      `${'A'.repeat(5000)}.${'B'.repeat(5000)}.${'C'.repeat(100)}`,
      'eyJhbGciOiJIUzI1NiJ9',
      '%00',
      'Đây-không-phải-token',
      `${ward.tokens.intake}.extra`,
      ward.tokens.intake.replaceAll('.', ''),
    ])
      await expectRefused(`garbage ${token.slice(0, 20)}`, `Bearer ${token}`);
    for (const header of [
      'Bearer',
      'Bearer ',
      'Bearer    ',
      'Bearer\t',
      'Basic YWRtaW46YWRtaW4=',
      `Token ${ward.tokens.intake}`,
      `Bearer ${ward.tokens.intake} extra`,
      '',
    ])
      await expectRefused(`authorization ${JSON.stringify(header)}`, header);
  });
});

describe('logs', () => {
  it('hold none of the tokens tried, nor the secret', () => {
    const secrets: Record<string, string> = { 'JWT secret': secret };
    for (const [name, token] of Object.entries({ admin: t.adminToken, ...ward.tokens })) {
      secrets[`${name} token`] = token;
      secrets[`${name} token signature`] = parts(token)[2];
    }
    expect(log.lines.length).toBeGreaterThan(50);
    expectNoLeaks(log.lines, { secrets, phones: [] });
  });
});
