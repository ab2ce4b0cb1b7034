import { LRUCache } from 'lru-cache';
import type { Db } from '../../db/database.ts';
import { AppError, problemType, unauthorized } from '../../shared/errors.ts';
import { hashApiKey } from './api-keys.ts';
import type { LoginLockout } from './login-lockout.ts';
import { verifyPassword } from './passwords.ts';
import type { ClientPrincipal, UserPrincipal } from './principal.ts';
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

type Log = { warn: (obj: object, msg: string) => void };

export function createAuthService(deps: {
  db: Db;
  tokens: TokenService;
  cacheTtlMs: number;
  lockout: LoginLockout;
}) {
  const { db, tokens, lockout } = deps;
  // Keys are looked up by hash on every channel request; a short cache spares a query per intake.
  // Unknown keys are cached too (as null), so guessing keys does not load the database.
  const clients = new LRUCache<string, { principal: ClientPrincipal | null }>({
    max: 10_000,
    ttl: Math.max(deps.cacheTtlMs, 1),
  });

  /**
   * The user for a correct username (any case) and password of an active account; 401 otherwise,
   * and 429 (with Retry-After) after too many failures in a row for the username, whether or not it
   * exists. Every sign-in (the API's token, the queue dashboard) goes through here.
   */
  async function authenticate(username: string, password: string, log?: Log): Promise<UserPrincipal> {
    const wait = await lockout.attempt(username, log);
    if (wait > 0) throw lockedOut(wait);
    const user = await db
      .selectFrom('users')
      .select(['id', 'username', 'password_hash', 'role', 'ward_id', 'department_id', 'active'])
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    const ok = await verifyPassword(user?.active ? user.password_hash : undefined, password);
    if (!user || !ok) throw unauthorized('Tên đăng nhập hoặc mật khẩu không đúng.');
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

    /** A bearer token for a correct username and password (see authenticate). */
    async login(username: string, password: string, log?: Log) {
      const principal = await authenticate(username, password, log);
      return {
        accessToken: tokens.issue(principal),
        tokenType: 'Bearer' as const,
        expiresIn: tokens.ttlSeconds,
      };
    },

    readToken: (token: string) => tokens.read(token),

    /** The key's principal from the cache: null for a key known to be invalid, undefined when not cached. */
    cachedApiKey: (key: string): ClientPrincipal | null | undefined =>
      clients.get(hashApiKey(key))?.principal,

    async resolveApiKey(key: string): Promise<ClientPrincipal | null> {
      const hash = hashApiKey(key);
      const cached = clients.get(hash);
      if (cached) return cached.principal;
      const row = await db
        .selectFrom('api_clients')
        .select(['id', 'name', 'channel'])
        .where('key_hash', '=', hash)
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
