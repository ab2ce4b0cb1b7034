import { z } from 'zod';
import { scheduleProblem } from './modules/digest/digest-schedule.ts';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting the service reads. Nothing else in src/ reads process.env. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/pakn'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' })
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('pakn'),
  // GET /metrics answers a Prometheus scrape with `Authorization: Bearer <METRICS_TOKEN>`; unset, it
  // is off (404): its per-route counts and queue depths are for operators only.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  // Server-side sessions (src/modules/auth/sessions.ts): a sign-in ends after this long without a
  // request, and this long after it began, whatever the token says.
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(10_080).default(120),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  // How long an API process trusts what it last read of a session or an API key: an ended session
  // or a deactivated key is refused by every process within this (at most a second).
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(1_000).default(500),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-z0-9._-]{3,64}$/, '3-64 lowercase letters, digits, . _ -')
    .default('admin'),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  // The password of the demo users `npm run seed` creates (read by that script only).
  SEED_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(200).default('pakn-demo-2026'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_048_576),
  // Credential checks of the queue dashboard (/admin/queues) per client address; API sign-in counts failures instead (below).
  RATE_LIMIT_LOGIN_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  // Per-username sign-in lockout (src/modules/auth/login-lockout.ts): failures in a row before a
  // username is locked, the first lock, and the cap of the doubling locks after it.
  LOGIN_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(1_000).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  LOGIN_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  // Per-address sign-in limit (login-lockout.ts, createAddressFailureLimit): failed sign-ins from one
  // client address in a window (from the first failure) before it gets 429 until the window ends.
  // Successes never count: a ward office's staff share one public address. 30 in 10 minutes lets an
  // office of forty mistype now and then, and holds a sprayer to 30 guesses per 10 minutes in all,
  // however many usernames it tries (the per-username lockout allows 5 on each).
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100_000).default(30),
  LOGIN_ADDRESS_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  TRUST_PROXY: bool.default(false),
  /** npm start runs a worker beside the API unless workers run as a service of their own. */
  START_WORKER: bool.default(true),
  /** Load shedding: refuse requests (503) while the event loop lags more than this on average; 0: never. */
  OVERLOAD_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  REOPEN_WINDOW_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  REFERENCE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** How many of a ward's newest cases a text search reads before it asks the trigram index (0: never). */
  CASE_SEARCH_WINDOW: z.coerce.number().int().min(0).max(100_000).default(2_000),
  // Escalation engine (design.md §5): how often the scheduler/sweep runs, how far ahead it hands
  // timers to the queue, how many timers a batch moves, and how many escalation jobs a worker runs at once.
  ESCALATION_TICK_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  ESCALATION_HORIZON_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  ESCALATION_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  ESCALATION_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** A worker refreshes its heartbeat key this often; the key lives three times as long. */
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // Outgoing webhooks: how long one POST may take, how often a delivery is tried in all, the first
  // retry delay (doubled after each failed try), parallel deliveries per worker, and how often the
  // worker re-enqueues pending deliveries whose job is missing from Redis.
  // Webhooks go to public addresses only (a URL that names or resolves to loopback, a private or
  // link-local network… is refused at registration and at sending). For development and tests whose
  // receivers listen on 127.0.0.1, `true` lifts it.
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  WEBHOOK_SWEEP_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Status messages (SMS) to citizens: `log` writes them to the worker's log (development), `http`
  // posts them to an SMS gateway, `none` sends none. Vietnamese with diacritics forces UCS-2 (70
  // characters a segment instead of 160), so SMS_DIACRITICS chooses between the two renderings.
  SMS_PROVIDER: z.enum(['log', 'http', 'none']).default('log'),
  SMS_HTTP_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SMS_HTTP_TOKEN: z.string().min(1).optional(),
  SMS_BRAND_NAME: z
    .string()
    .regex(/^[A-Za-z0-9 ._-]{1,11}$/, 'a registered brand name: 1-11 letters, digits, space . _ -')
    .default('UBND'),
  SMS_DIACRITICS: bool.default(false),
  SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  SMS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  SMS_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** The dispatcher's tick: due messages are claimed in batches of SMS_BATCH_SIZE, SMS_CONCURRENCY sent at once. */
  SMS_DISPATCH_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  SMS_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  SMS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  // At most SMS_PHONE_LIMIT messages to one number in SMS_PHONE_WINDOW_MINUTES: whoever can file
  // reports (an app, an Open311 key) cannot make the ward text one number again and again. A reporter
  // gets two or three messages a case over days; what the limit holds back is recorded, never sent.
  SMS_PHONE_LIMIT: z.coerce.number().int().min(1).max(1_000).default(6),
  SMS_PHONE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** The citizen's tracking link in messages; `{code}` stands for the case code. */
  PUBLIC_TRACKING_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((u) => u.includes('{code}') || u.includes('%7Bcode%7D'), 'must contain {code}')
    .transform((u) => u.replaceAll('%7Bcode%7D', '{code}'))
    .optional(),
  // Likely duplicates at intake: cases of the same ward and category, received in the last
  // DUPLICATE_WINDOW_DAYS, within DUPLICATE_RADIUS_METERS, whose text is at least DUPLICATE_SIMILARITY
  // alike (pg_trgm, 0-1). A radius of 0 turns the check off.
  DUPLICATE_RADIUS_METERS: z.coerce.number().int().min(0).max(5_000).default(100),
  DUPLICATE_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  DUPLICATE_SIMILARITY: z.coerce.number().min(0).max(1).default(0.3),
  // The chairman's digest: a cron schedule (minute hour day month weekday) in each ward's local time,
  // or `off`; how long after a missed occurrence (workers down) it is still sent; how often workers look.
  DIGEST_SCHEDULE: z
    .string()
    .trim()
    .default('30 7 * * 1')
    .superRefine((v, ctx) => {
      const problem = v === 'off' ? null : scheduleProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  DIGEST_CATCH_UP_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  DIGEST_TICK_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  // From 1 November, how often workers look for wards whose next year's days off are still
  // provisional (each is warned once a week; src/modules/sla/calendar-warnings.ts).
  CALENDAR_WARNING_TICK_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  // Installation campaigns (src/modules/campaigns): the largest list file and the most rows one upload
  // takes; how long after a campaign's end date its lists' rows (names, phone numbers) are kept before
  // they are deleted (the aggregates and the frozen ranking stay); how often workers look for units to
  // chase and rows to delete.
  CAMPAIGN_LIST_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  CAMPAIGN_LIST_MAX_ROWS: z.coerce.number().int().min(10).max(200_000).default(30_000),
  CAMPAIGN_ROW_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  CAMPAIGN_TICK_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  // E-mail (the digest): sent over SMTP when SMTP_URL is set (smtp://user:pass@host:587, smtps://… for
  // TLS from the start), with retries like webhooks'. Without it, digests are in-app notifications only.
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  SMTP_FROM: z
    .string()
    .trim()
    .regex(
      /^[^<>]*<[^@\s<>]+@[^@\s<>]+>$|^[^@\s<>]+@[^@\s<>]+$/,
      'an address, e.g. "PAKN phường <pakn@example.vn>"',
    )
    .default('PAKN <no-reply@pakn.local>'),
  EMAIL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
  EMAIL_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(20).default(2),
  EMAIL_SWEEP_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_TRACKING_URL: string };

/** Settings that depend on each other, checked once the fields are read. */
const checked = configSchema.superRefine((c, ctx) => {
  if (c.SMS_PROVIDER !== 'http') return;
  for (const key of ['SMS_HTTP_URL', 'SMS_HTTP_TOKEN'] as const)
    if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when SMS_PROVIDER=http' });
});

export class ConfigError extends Error {}

/** Parses the environment once; throws a ConfigError that names every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = checked.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  // Until a public site is configured, the link points at this API's own tracking endpoint.
  return {
    ...c,
    PUBLIC_TRACKING_URL:
      c.PUBLIC_TRACKING_URL ??
      `http://${c.HOST === '0.0.0.0' ? '127.0.0.1' : c.HOST}:${c.PORT}/api/v1/public/cases/{code}`,
  };
}
