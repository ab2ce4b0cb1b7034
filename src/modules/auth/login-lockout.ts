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
