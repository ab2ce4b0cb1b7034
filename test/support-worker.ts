import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect, inject } from 'vitest';
import type { Config } from '../src/config.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { dropDatabase, ensureDatabase, migrateToLatest } from '../src/db/migrate.ts';
import { bearer, call, type TestApp, uid, type Ward } from './helpers.ts';
import { postCase } from './support-pakn.ts';

/** A Redis key prefix of its own, for a test that starts workers before its app. */
export const testPrefix = () => `test-${uid()}`;

const root = fileURLToPath(new URL('..', import.meta.url));

export type FiredLine = { timerId: string; step: string; caseId: string; lagMs: number; workerId: string };

/** A real worker process (src/main/worker.ts), its log parsed line by line. */
export type WorkerProcess = {
  child: ChildProcess;
  /** Resolves once the worker logged "worker ready". */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  fired: FiredLine[];
  output: () => string;
  /** SIGTERM, then wait for the exit. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then wait for the exit. */
  kill: () => Promise<void>;
};

const running = new Set<WorkerProcess>();

/** Spawns a worker with the given settings on top of this process's environment. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['src/main/worker.ts'], {
    cwd: root,
    // No status messages: the run's database is shared by every test file, and a worker's dispatcher
    // would send (to its log) the messages that test/citizen-messages.test.ts waits for.
    // No digests either: test/chairman-digest.test.ts creates its own.
    env: { ...process.env, LOG_LEVEL: 'info', SMS_PROVIDER: 'none', DIGEST_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let pending = '';
  const fired: FiredLine[] = [];
  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'worker ready') markReady();
        if (entry.msg === 'escalation fired')
          fired.push({
            timerId: entry.timerId,
            step: entry.step,
            caseId: entry.caseId,
            lagMs: entry.lagMs,
            workerId: entry.workerId,
          });
      } catch {
        // Not a log line.
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(proc);
      failReady(new Error(`worker exited (${code ?? signal}) before it was ready:\n${out.slice(-3000)}`));
      resolve({ code, signal });
    });
  });
  const timeout = setTimeout(
    () => failReady(new Error(`worker not ready after 20 s:\n${out.slice(-3000)}`)),
    20_000,
  );
  ready.finally(() => clearTimeout(timeout)).catch(() => {});
  const proc: WorkerProcess = {
    child,
    ready,
    exited,
    fired,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(proc);
  return proc;
}

/** Kills every worker still running (afterEach/afterAll, pass or fail). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.kill()));
}

/**
 * A database of its own, migrated, for a test that runs workers: a worker serves every timer in its
 * database, so on the run's shared database it would fire other test files' timers (and they its).
 */
export async function createIsolatedDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_esc_${uid().toLowerCase()}`;
  await ensureDatabase(url.toString());
  const db = createDb({ url: url.toString(), poolSize: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/** The settings a worker needs to share a test app's database and Redis, with sub-second ticks. */
export function workerEnv(
  config: Pick<Config, 'DATABASE_URL' | 'REDIS_URL' | 'REDIS_PREFIX'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: config.DATABASE_URL,
    REDIS_URL: config.REDIS_URL,
    REDIS_PREFIX: config.REDIS_PREFIX,
    DATABASE_POOL_SIZE: '10',
    ESCALATION_TICK_MS: '500',
    WORKER_HEARTBEAT_MS: '1000',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...extra,
  };
}

/**
 * A ladder in seconds on the continuous clock: acceptance warning 2 s after intake, the department
 * head reminded 1 s before the answer deadline, the ward office and the head told at it, the
 * chairman `chairmanAfter` after it.
 */
export const continuousLadder = (chairmanAfter: string) => ({
  acceptWithin: { duration: 'PT2S', clock: 'continuous' },
  steps: [
    { key: 'accept_overdue', anchor: 'acceptDueAt', offset: 'PT0S', clock: 'continuous', notify: ['intake'] },
    { key: 'reminder', anchor: 'dueAt', offset: '-PT1S', clock: 'continuous', notify: ['department_head'] },
    {
      key: 'overdue',
      anchor: 'dueAt',
      offset: 'PT0S',
      clock: 'continuous',
      notify: ['intake', 'department_head'],
    },
    { key: 'chairman', anchor: 'dueAt', offset: chairmanAfter, clock: 'continuous', notify: ['chairman'] },
  ],
});

/** For a 3 s answer SLA (`secondsSla`): the chairman 2 s after the deadline. */
export const secondsPolicy = continuousLadder('PT2S');

export const secondsSla = {
  normal: { duration: 'PT3S', clock: 'continuous' },
  urgent: { duration: 'PT3S', clock: 'continuous' },
};

export async function setWardPolicy(db: Db, wardId: string, policy: object = secondsPolicy): Promise<void> {
  await db
    .insertInto('escalation_policies')
    .values({ ward_id: wardId, policy: JSON.stringify(policy) })
    .onConflict((oc) =>
      oc.column('ward_id').doUpdateSet({ policy: JSON.stringify(policy), updated_at: new Date() }),
    )
    .execute();
}

export type WardUsers = Record<'intake' | 'chairman' | 'infraHead' | 'infraOfficer' | 'cultureHead', string>;

/** The ids of the users createWard made, by the same names as its tokens. */
export async function wardUsers(db: Db, ward: Ward): Promise<WardUsers> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'role', 'department_id'])
    .where('ward_id', '=', ward.id)
    .execute();
  const find = (role: string, departmentId: string | null) => {
    const row = rows.find((r) => r.role === role && r.department_id === departmentId);
    if (!row) throw new Error(`no ${role} in ward ${ward.code}`);
    return row.id;
  };
  return {
    intake: find('intake', null),
    chairman: find('chairman', null),
    infraHead: find('department_head', ward.departments.infra.id),
    infraOfficer: find('department_officer', ward.departments.infra.id),
    cultureHead: find('department_head', ward.departments.culture.id),
  };
}

/** Posts a case as the ward's intake; `categoryCode` absent leaves it waiting in received. */
export async function postCaseAs(t: TestApp, ward: Ward, categoryCode?: string) {
  return postCase(t.app, bearer(ward.tokens.intake), {
    wardCode: ward.code,
    channel: 'walk_in',
    externalId: `esc-${uid()}`,
    description: 'Rác thải tập kết sai nơi quy định ở đầu ngõ 12.',
    reporter: { name: 'Lê Thị B', phone: '0912000111' },
    ...(categoryCode ? { categoryCode } : {}),
  });
}

/**
 * A ward for tests that only need recipients, not their sign-ins: departments through the API, staff
 * inserted directly (no password hashing per user, no logins) and an API key to report cases with.
 */
export async function createLeanWard(t: TestApp) {
  const admin = bearer(t.adminToken);
  const code = `L${uid()}`.slice(0, 20);
  const ward = (
    await call(
      t.app,
      { method: 'POST', url: '/api/v1/wards', headers: admin, payload: { code, name: `Phường ${code}` } },
      201,
    )
  ).json() as { id: string; code: string };
  const department = async (c: string, name: string) =>
    (
      await call(
        t.app,
        {
          method: 'POST',
          url: '/api/v1/departments',
          headers: admin,
          payload: { wardId: ward.id, code: c, name },
        },
        201,
      )
    ).json() as { id: string };
  const infra = await department('ktht', 'Phòng Kinh tế – Hạ tầng – Đô thị');
  const culture = await department('vhxh', 'Phòng Văn hoá – Xã hội');
  const staff = [
    { role: 'intake', department_id: null },
    { role: 'chairman', department_id: null },
    { role: 'department_head', department_id: infra.id },
    { role: 'department_officer', department_id: infra.id },
    { role: 'department_head', department_id: culture.id },
  ] as const;
  await t.container.db
    .insertInto('users')
    .values(
      staff.map((u) => ({
        username: `lean-${uid().toLowerCase()}`,
        password_hash: 'not-a-password',
        full_name: `Cán bộ ${u.role}`,
        role: u.role,
        ward_id: ward.id,
        department_id: u.department_id,
      })),
    )
    .execute();
  const client = (
    await call(
      t.app,
      {
        method: 'POST',
        url: '/api/v1/api-clients',
        headers: admin,
        payload: { name: `App ${uid()}`, channel: 'smart_haiphong' },
      },
      201,
    )
  ).json() as { apiKey: string };
  return { ...ward, apiKey: client.apiKey };
}
export type LeanWard = Awaited<ReturnType<typeof createLeanWard>>;

/** Reports a case through the channel API key; without `categoryCode` it waits in received. */
export async function reportCase(t: TestApp, ward: LeanWard, categoryCode?: string) {
  const res = await call(
    t.app,
    {
      method: 'POST',
      url: '/api/v1/cases',
      headers: { 'x-api-key': ward.apiKey },
      payload: {
        wardCode: ward.code,
        channel: 'smart_haiphong',
        externalId: `esc-${uid()}`,
        description: 'Nước thải tràn ra đường ở tổ dân phố 3.',
        reporter: { name: 'Phạm Văn C', phone: '0912000222' },
        ...(categoryCode ? { categoryCode } : {}),
      },
    },
    201,
  );
  return res.json() as { id: string; code: string; status: string };
}

export type EscalationRow = {
  case_id: string;
  step: string;
  generation: number;
  due_at: Date;
  fired_at: Date;
};

export const escalationsOf = (db: Db, caseIds: string[]): Promise<EscalationRow[]> =>
  caseIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('escalations')
        .select(['case_id', 'step', 'generation', 'due_at', 'fired_at'])
        .where('case_id', 'in', caseIds)
        .orderBy('fired_at')
        .orderBy('id')
        .execute();

/** Polls until `check` returns true (or fails with `message` after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: () => string) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${message()}`);
}

/** Resolves as soon as `worker` has logged `n` fired escalations (checked every 10 ms). */
export async function firedAtLeast(worker: WorkerProcess, n: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (worker.fired.length < n) {
    if (Date.now() > until)
      throw new Error(`worker fired ${worker.fired.length} < ${n}:\n${worker.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Notifications per (user, case, step), to show nobody was told twice. */
export async function notificationCounts(db: Db, caseIds: string[]) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('notifications')
    .select(['user_id', 'case_id', 'step', sql<string>`count(*)`.as('n')])
    .where('case_id', 'in', caseIds)
    .groupBy(['user_id', 'case_id', 'step'])
    .execute();
}

/** Asserts each escalation fired within `maxLagMs` of its due time, never before it. */
export function expectOnTime(rows: EscalationRow[], maxLagMs: number) {
  for (const e of rows) {
    const lag = e.fired_at.getTime() - e.due_at.getTime();
    expect(lag, `${e.step} of case ${e.case_id} fired ${lag} ms after due`).toBeGreaterThanOrEqual(0);
    expect(lag, `${e.step} of case ${e.case_id} fired ${lag} ms after due`).toBeLessThan(maxLagMs);
  }
}
