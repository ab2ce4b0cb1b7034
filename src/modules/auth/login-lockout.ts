import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type LoginLockout = ReturnType<typeof createLoginLockout>;

type Log = { warn: (obj: object, msg: string) => void };

/**
 * Counts the attempt (unless the name is locked) and, when it is the threshold-th or later failure in
 * a row, locks the name for base × 2^(failures − threshold), capped: the attempt itself still runs.
 * Returns the lock's remaining milliseconds when the name is locked already (the attempt is then
 * neither counted nor run, so hammering a locked name does not lengthen its lock).
 *
 * KEYS: failures, lock. ARGV: threshold, base ms, max ms, failure memory ms.
 */
const attemptScript = `
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return left end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local threshold = tonumber(ARGV[1])
if n >= threshold then
  local ms = math.min(tonumber(ARGV[2]) * 2 ^ math.min(n - threshold, 30), tonumber(ARGV[3]))
  redis.call('SET', KEYS[2], n, 'PX', math.floor(ms))
end
return 0
`;

/**
 * Per-username protection against password guessing (the per-address rate limit cannot stop guesses
 * spread over many addresses). After `threshold` failed sign-ins in a row for one username, further
 * attempts get 429 for `lockSeconds`; each failure after a lock doubles the next lock, up to
 * `maxLockSeconds`. A correct password resets the count. State lives in Redis under the deployment's
 * prefix, so every replica shares it, and expires by itself: failures are forgotten after twice the
 * longest lock without any, and no lock outlives `maxLockSeconds`.
 *
 * Attempts are counted before the password is checked, so concurrent guesses cannot all slip in
 * before the first failure is recorded: at most `threshold` guesses per lock window, whatever the
 * concurrency. Unknown usernames are counted and locked exactly like real ones, so the answers
 * (401, then 429) do not reveal which usernames exist. Keys hold a hash of the username, never the
 * name itself.
 *
 * When Redis is unreachable the lockout steps aside (with a warning in the log), like the rate
 * limiter: sign-in keeps working, protected by argon2's cost alone.
 */
export function createLoginLockout(deps: {
  redis: Redis;
  prefix: string;
  threshold: number;
  lockSeconds: number;
  maxLockSeconds: number;
}) {
  const { redis, prefix, threshold } = deps;
  const lockMs = deps.lockSeconds * 1000;
  const maxLockMs = Math.max(deps.maxLockSeconds, deps.lockSeconds) * 1000;
  const memoryMs = 2 * maxLockMs;
  const keysOf = (username: string) => {
    const id = createHash('sha256').update(normalize(username)).digest('base64url').slice(0, 32);
    return [`${prefix}:login-failures:${id}`, `${prefix}:login-lock:${id}`] as const;
  };

  return {
    threshold,

    /**
     * Call before checking a password. 0: go ahead (the attempt is counted as a failure until
     * `succeeded`); otherwise the name is locked and this many milliseconds remain.
     */
    async attempt(username: string, log?: Log): Promise<number> {
      const [failures, lock] = keysOf(username);
      try {
        const left = await redis.eval(
          attemptScript,
          2,
          failures,
          lock,
          threshold,
          lockMs,
          maxLockMs,
          memoryMs,
        );
        return Math.max(Number(left), 0);
      } catch (err) {
        log?.warn({ err }, 'login lockout unavailable (Redis): attempt not counted');
        return 0;
      }
    },

    /** The password was right: the failures before it are forgotten and any lock lifted. */
    async succeeded(username: string, log?: Log): Promise<void> {
      try {
        await redis.del(...keysOf(username));
      } catch (err) {
        log?.warn({ err }, 'login lockout unavailable (Redis): failures not reset');
      }
    },
  };
}

/** The username as sign-in looks it up. */
const normalize = (username: string) => username.trim().toLowerCase();

/**
 * Counts the attempt unless the address has `max` failures in its window already (then returns the
 * window's remaining milliseconds); the window starts with the first failure.
 *
 * KEYS: failures. ARGV: max, window ms.
 */
const addressAttemptScript = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 then return left end
end
n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Takes back an attempt that turned out not to be a failure; the window keeps its end. KEYS: failures. */
const addressRefundScript = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

export type AddressFailureLimit = ReturnType<typeof createAddressFailureLimit>;

/**
 * Per-address protection against password spraying (one address trying a few passwords on many
 * usernames, which no per-username lockout sees): after `maxFailures` failed sign-ins from one client
 * address within `windowSeconds` (counted from the first of them), further attempts from it get 429
 * until the window ends. Only failures count — a wrong password for a known or unknown username — so
 * a ward office whose staff share one public address signs in as often as it needs to.
 *
 * Like the username lockout, an attempt is counted before the password is checked (concurrent
 * guesses cannot slip past the limit) and taken back when it succeeds or never checked a password
 * (the username was locked). State lives in Redis under the deployment's prefix, shared by replicas,
 * keyed by a hash of the address, and expires with the window. When Redis is unreachable it steps
 * aside, as the lockout does.
 */
export function createAddressFailureLimit(deps: {
  redis: Redis;
  prefix: string;
  maxFailures: number;
  windowSeconds: number;
}) {
  const { redis, prefix, maxFailures } = deps;
  const windowMs = deps.windowSeconds * 1000;
  const keyOf = (address: string) =>
    `${prefix}:login-address-failures:${createHash('sha256').update(address).digest('base64url').slice(0, 32)}`;

  return {
    maxFailures,

    /** Call before checking a password. 0: go ahead (counted as a failure until `refund`); otherwise the milliseconds left. */
    async attempt(address: string, log?: Log): Promise<number> {
      try {
        const left = await redis.eval(addressAttemptScript, 1, keyOf(address), maxFailures, windowMs);
        return Math.max(Number(left), 0);
      } catch (err) {
        log?.warn({ err }, 'sign-in address limit unavailable (Redis): attempt not counted');
        return 0;
      }
    },

    /** The attempt was no failure (the password was right, or it was never checked). */
    async refund(address: string, log?: Log): Promise<void> {
      try {
        await redis.eval(addressRefundScript, 1, keyOf(address));
      } catch (err) {
        log?.warn({ err }, 'sign-in address limit unavailable (Redis): attempt not taken back');
      }
    },
  };
}
