import type { Insertable } from 'kysely';
import type { Database } from '../../db/types.ts';

/**
 * Who makes a change: the signed-in user (their id and username) and the address the app sees the
 * request come from (`request.ip`, behind TRUST_PROXY as configured); a system actor (the seed) has no
 * id and no address.
 */
export type AuditActor = { userId: string | null; username: string; address: string | null };

/** The objects whose changes are recorded. */
export const auditObjectTypes = [
  'ward',
  'department',
  'category',
  'user',
  'api_client',
  'calendar',
  'calendar_year',
  'escalation_policy',
  'webhook',
  'residential_group',
  'campaign',
] as const;
export type AuditObjectType = (typeof auditObjectTypes)[number];

/** An object's state as recorded: an allow-listed view (what the API shows of it), never a secret. */
export type AuditState = Record<string, unknown> | null;

/** One change: what was done to which object, of which ward, from which state to which. */
export type AuditEntry = {
  /** `<object>.<verb>`, e.g. `ward.create`, `user.password_reset`, `api_client.rotate`. */
  action: `${AuditObjectType}.${string}`;
  objectType: AuditObjectType;
  objectId: string;
  /** The ward the object belongs to (the chairman's scope), null for city-wide objects. */
  wardId: string | null;
  before: AuditState;
  after: AuditState;
};

/**
 * Field names that hold a credential or could: dropped from a recorded state at any depth, whatever
 * view a service hands over (the views are allow-lists already; this is the second lock). Compared
 * without case, `_` or `-`. A key's public prefix (`keyPrefix`, shown to admins to tell keys apart) and
 * an escalation step's `key` are no secrets.
 */
const secretWords = ['password', 'passwd', 'secret', 'apikey', 'token', 'session', 'credential'];

export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[_-]/g, '');
  return secretWords.some((w) => n.includes(w)) || n.endsWith('hash') || n === 'sid';
}

/**
 * Values that are credentials by their shape, whatever their field is called: an API key
 * (`pakn_` and 43 base64url characters), an argon2 password hash, a SHA-256 hex digest (how API keys
 * and session ids are stored).
 */
const secretValue = /^pakn_[A-Za-z0-9_-]{43}$|^\$argon2|^[0-9a-f]{64}$/i;

export const redacted = '[redacted]';

/**
 * A copy of `value` without the fields `isSecretName` names, at any depth, and with any value shaped
 * like a credential replaced by `[redacted]`.
 */
export function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return secretValue.test(value) ? redacted : value;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !isSecretName(k))
      .map(([k, v]) => [k, withoutSecrets(v)]),
  );
}

const stateJson = (state: AuditState) => (state === null ? null : JSON.stringify(withoutSecrets(state)));

/** The row of one entry, as written: the states scrubbed of secrets, the address cut to its column. */
export function auditRow(actor: AuditActor, entry: AuditEntry): Insertable<Database['audit_entries']> {
  return {
    actor_id: actor.userId,
    actor_username: actor.username,
    address: actor.address?.slice(0, 100) ?? null,
    action: entry.action,
    object_type: entry.objectType,
    object_id: entry.objectId,
    ward_id: entry.wardId,
    before: stateJson(entry.before),
    after: stateJson(entry.after),
  };
}
