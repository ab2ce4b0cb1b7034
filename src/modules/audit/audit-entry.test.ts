import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../auth/api-keys.ts';
import { hashPassword } from '../auth/passwords.ts';
import { clientView } from '../directory/api-client-service.ts';
import { toUserView } from '../directory/user-service.ts';
import { toView as webhookView } from '../notifications/webhook-service.ts';
import { type AuditActor, type AuditEntry, auditRow, isSecretName, withoutSecrets } from './audit-entry.ts';

const actor: AuditActor = { userId: '7', username: 'admin', address: '203.0.113.9' };

/** Every string value and every key of a recorded row, its JSON states parsed back. */
function recorded(entry: AuditEntry) {
  const row = auditRow(actor, entry);
  const states = [row.before, row.after].map((s) => (typeof s === 'string' ? JSON.parse(s) : s));
  return { row, text: JSON.stringify({ ...row, before: states[0], after: states[1] }) };
}

const keysOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.flatMap(keysOf)
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)])
      : [];

function expectNoSecret(entry: AuditEntry, secrets: string[]) {
  const { row, text } = recorded(entry);
  for (const secret of secrets) expect(text, `the entry holds ${secret.slice(0, 12)}…`).not.toContain(secret);
  for (const state of [row.before, row.after])
    if (typeof state === 'string')
      for (const key of keysOf(JSON.parse(state))) expect(isSecretName(key), key).toBe(false);
}

const userRow = async (password: string, extra: Record<string, unknown> = {}) => ({
  id: '42',
  username: 'nguyen.van.a',
  password_hash: await hashPassword(password),
  full_name: 'Nguyễn Văn A',
  role: 'intake' as const,
  ward_id: '3',
  department_id: null,
  email: 'a@example.vn',
  active: true,
  version: 1,
  created_at: new Date(),
  ...extra,
});

const clientRow = (key: { prefix: string; hash: string }, previousHash: string | null = null) => ({
  id: '5',
  name: 'Smart Hải Phòng',
  channel: 'smart_haiphong' as const,
  key_prefix: key.prefix,
  key_hash: key.hash,
  previous_key_hash: previousHash,
  previous_key_expires_at: previousHash ? new Date() : null,
  created_at: new Date(),
  revoked_at: null,
  version: 2,
});

describe('what the audit trail records: never a secret', () => {
  it('a user created: neither the password nor its hash, whether given the view or the whole row', async () => {
    const password = 'mat-khau-rat-bi-mat-123';
    const row = await userRow(password);
    const secrets = [password, row.password_hash];
    const entry = (after: Record<string, unknown>): AuditEntry => ({
      action: 'user.create',
      objectType: 'user',
      objectId: row.id,
      wardId: row.ward_id,
      before: null,
      after,
    });
    expectNoSecret(entry(toUserView(row)), secrets);
    expectNoSecret(entry(row), secrets);
    expectNoSecret(
      entry({ ...row, password, input: { password, passwordHash: row.password_hash } }),
      secrets,
    );
    expect(recorded(entry(toUserView(row))).text).toContain('nguyen.van.a');
  });

  it('a password reset: neither the new password nor the old or new hash', async () => {
    const old = await userRow('mat-khau-cu-0001');
    const next = await userRow('mat-khau-moi-0002', { version: 2 });
    const secrets = ['mat-khau-cu-0001', 'mat-khau-moi-0002', old.password_hash, next.password_hash];
    for (const [before, after] of [
      [toUserView(old), toUserView(next)],
      [old, next],
      [
        { ...old, newPassword: 'mat-khau-moi-0002' },
        { ...next, new_password: 'mat-khau-moi-0002' },
      ],
    ] as const)
      expectNoSecret(
        { action: 'user.password_reset', objectType: 'user', objectId: '42', wardId: '3', before, after },
        secrets,
      );
  });

  it('an API client created or its key rotated: neither key nor hash, the old or the new', () => {
    const first = generateApiKey();
    const second = generateApiKey();
    const created = clientRow(first);
    const rotated = clientRow(second, first.hash);
    const secrets = [first.key, first.hash, second.key, second.hash];
    for (const after of [clientView(created), created, { ...created, apiKey: first.key }])
      expectNoSecret(
        {
          action: 'api_client.create',
          objectType: 'api_client',
          objectId: '5',
          wardId: null,
          before: null,
          after,
        },
        secrets,
      );
    for (const [before, after] of [
      [clientView(created), { ...clientView(rotated), previousKeyExpiresAt: new Date().toISOString() }],
      [created, rotated],
      [
        { ...created, api_key: first.key },
        { ...rotated, apiKey: second.key, key: { key: second.key, hash: second.hash } },
      ],
    ] as const)
      expectNoSecret(
        { action: 'api_client.rotate', objectType: 'api_client', objectId: '5', wardId: null, before, after },
        secrets,
      );
    // The public prefix, which admins see in the list to tell keys apart, stays.
    const { text } = recorded({
      action: 'api_client.rotate',
      objectType: 'api_client',
      objectId: '5',
      wardId: null,
      before: clientView(created),
      after: clientView(rotated),
    });
    expect(text).toContain(second.prefix);
  });

  it('a webhook created: never its signing secret', () => {
    const secret = 'whsec-0123456789abcdef-bi-mat';
    const row = {
      id: '9',
      url: 'https://hooks.example.vn/pakn',
      events: ['case.escalated'],
      secret,
      active: true,
      created_at: new Date(),
    };
    for (const after of [webhookView(row), row, { body: { url: row.url, secret }, webhookSecret: secret }])
      expectNoSecret(
        { action: 'webhook.create', objectType: 'webhook', objectId: '9', wardId: null, before: null, after },
        [secret],
      );
    expect(
      recorded({
        action: 'webhook.create',
        objectType: 'webhook',
        objectId: '9',
        wardId: null,
        before: null,
        after: webhookView(row),
      }).text,
    ).toContain(row.url);
  });
});

describe('secret names', () => {
  it('are found in any spelling, at any depth; ordinary fields and public prefixes stay', () => {
    for (const name of [
      'password',
      'password_hash',
      'passwordHash',
      'newPassword',
      'currentPassword',
      'secret',
      'webhookSecret',
      'apiKey',
      'api_key',
      'API-KEY',
      'key_hash',
      'keyHash',
      'previous_key_hash',
      'sid',
      'sid_hash',
      'sessionId',
      'accessToken',
      'token',
    ])
      expect(isSecretName(name), name).toBe(true);
    for (const name of [
      'keyPrefix',
      'key',
      'residentialGroup',
      'username',
      'name',
      'events',
      'url',
      'businessHours',
      'version',
      'previousKeyExpiresAt',
    ])
      expect(isSecretName(name), name).toBe(false);
    expect(
      withoutSecrets({ a: [{ password: 'x', steps: [{ key: 'reminder', token: 't' }] }], at: new Date(0) }),
    ).toEqual({ a: [{ steps: [{ key: 'reminder' }] }], at: '1970-01-01T00:00:00.000Z' });
    // A credential under an innocent name is known by its shape.
    const apiKey = generateApiKey();
    expect(withoutSecrets({ key: apiKey.key, digest: apiKey.hash, list: ['$argon2id$v=19$m=1$x'] })).toEqual({
      key: '[redacted]',
      digest: '[redacted]',
      list: ['[redacted]'],
    });
  });

  it('the row keeps who, from where, what, and cuts an over-long address to its column', () => {
    const row = auditRow(
      { userId: null, username: 'seed', address: 'x'.repeat(300) },
      {
        action: 'ward.create',
        objectType: 'ward',
        objectId: '1',
        wardId: '1',
        before: null,
        after: { id: '1' },
      },
    );
    expect(row).toMatchObject({
      actor_id: null,
      actor_username: 'seed',
      action: 'ward.create',
      object_type: 'ward',
      object_id: '1',
      ward_id: '1',
      before: null,
      after: '{"id":"1"}',
    });
    expect(row.address).toHaveLength(100);
  });
});
