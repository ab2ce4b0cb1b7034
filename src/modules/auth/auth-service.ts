import { sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/database.ts';
import { AppError, problemType, unauthorized } from '../../shared/errors.ts';
import { hashApiKey } from './api-keys.ts';
import type { AddressFailureLimit, LoginLockout } from './login-lockout.ts';
import { verifyPassword } from './passwords.ts';
import type { ClientPrincipal, UserPrincipal } from './principal.ts';
import type { SessionStore } from './sessions.ts';
import type { TokenService } from './tokens.ts';

export type AuthService = ReturnType<typeof createAuthService>;

/** 429 while a username is locked out; the same for every username, known or not. */
function lockedOut(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(
    429,
    problemType('rate-limited'),
    'Quá nhiều yêu cầu',
    `Đăng nhập sai quá nhiều lần với tên đăng nhập này; vui lòng thử lại sau ${seconds} giây.`,
    { headers: { 'retry-after': String(seconds) } },
  );
}

/** 429 while a client address has too many failed sign-ins in its window. */
function addressLimited(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError(
    429,
    problemType('rate-limited'),
    'Quá nhiều yêu cầu',
    `Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này; vui lòng thử lại sau ${seconds} giây.`,
    { headers: { 'retry-after': String(seconds) } },
  );
}

type Log = { warn: (obj: object, msg: string) => void };

export function createAuthService(deps: {
  db: Db;
  tokens: TokenService;
  sessions: SessionStore;
  /** How long an API key's lookup is trusted (AUTH_CACHE_TTL_MS, no longer than reference data). */
  cacheTtlMs: number;
  lockout: LoginLockout;
  /** Failed sign-ins per client address (LOGIN_ADDRESS_MAX_FAILURES in LOGIN_ADDRESS_WINDOW_SECONDS). */
  addressLimit: AddressFailureLimit;
}) {
  const { db, tokens, sessions, lockout, addressLimit } = deps;
  // Keys are looked up by hash on every channel request; a short cache spares a query per intake.
  // Unknown keys are cached too (as null), so guessing keys does not load the database.
  const clients = new LRUCache<string, { principal: ClientPrincipal | null }>({
    max: 10_000,
    ttl: Math.max(deps.cacheTtlMs, 1),
  });

  /**
   * The user for a correct username (any case) and password of an active account; 401 otherwise,
   * and 429 (with Retry-After) after too many failures in a row for the username, whether or not it
   * exists, or too many failures from the client `address` in its window (successes never count
   * against it). Every sign-in (the API's token, the queue dashboard) goes through here.
   */
  async function authenticate(
    username: string,
    password: string,
    log?: Log,
    address?: string | null,
  ): Promise<UserPrincipal> {
    if (address) {
      const left = await addressLimit.attempt(address, log);
      if (left > 0) throw addressLimited(left);
    }
    const wait = await lockout.attempt(username, log);
    if (wait > 0) {
      // A locked username checks no password: no guess was made from the address.
      if (address) await addressLimit.refund(address, log);
      throw lockedOut(wait);
    }
    const user = await db
      .selectFrom('users')
      .select(['id', 'username', 'password_hash', 'role', 'ward_id', 'department_id', 'active'])
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    const ok = await verifyPassword(user?.active ? user.password_hash : undefined, password);
    if (!user || !ok) throw unauthorized('Tên đăng nhập hoặc mật khẩu không đúng.');
    if (address) await addressLimit.refund(address, log);
    await lockout.succeeded(username, log);
    return {
      kind: 'user',
      userId: user.id,
      username: user.username,
      role: user.role,
      wardId: user.ward_id,
      departmentId: user.department_id,
    };
  }

  return {
    authenticate,

    /** A bearer token for a correct username and password (see authenticate), in a new session. */
    async login(username: string, password: string, log?: Log, address: string | null = null) {
      const principal = await authenticate(username, password, log, address);
      const sessionId = await sessions.start(principal.userId, address);
      return {
        accessToken: tokens.issue(principal, sessionId),
        tokenType: 'Bearer' as const,
        expiresIn: tokens.ttlSeconds,
      };
    },

    /** Ends the caller's session: its token is refused from then on, by every API process. */
    logout: (sessionId: string) => sessions.end(sessionId, 'logout'),

    readToken: (token: string) => tokens.read(token),

    /** A fresh token for a live session (the console renews its cookie's before it expires). */
    reissue: (principal: UserPrincipal, sessionId: string) => tokens.issue(principal, sessionId),
    tokenTtlSeconds: tokens.ttlSeconds,
    csrfFor: (sessionId: string) => tokens.csrfFor(sessionId),

    /** Whether a token's session is still live (sessions.ts): synchronous when known lately. */
    sessionLive: (sessionId: string, userId: string) => sessions.isLive(sessionId, userId),

    /** Forget what this process knows of API keys (after one was rotated or deactivated here). */
    forgetApiKeys: () => clients.clear(),

    /** The key's principal from the cache: null for a key known to be invalid, undefined when not cached. */
    cachedApiKey: (key: string): ClientPrincipal | null | undefined =>
      clients.get(hashApiKey(key))?.principal,

    async resolveApiKey(key: string): Promise<ClientPrincipal | null> {
      const hash = hashApiKey(key);
      const cached = clients.get(hash);
      if (cached) return cached.principal;
      // The current key, or the previous one during its grace period after a rotation.
      const row = await db
        .selectFrom('api_clients')
        .select(['id', 'name', 'channel'])
        .where((eb) =>
          eb.or([
            eb('key_hash', '=', hash),
            eb.and([
              eb('previous_key_hash', '=', hash),
              eb('previous_key_expires_at', '>', sql<Date>`now()`),
            ]),
          ]),
        )
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      const principal: ClientPrincipal | null = row
        ? { kind: 'api_client', clientId: row.id, name: row.name, channel: row.channel }
        : null;
      clients.set(hash, { principal });
      return principal;
    },
  };
}
