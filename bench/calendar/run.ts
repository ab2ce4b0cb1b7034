/**
 * bench/calendar: what a change of days off costs on the city that bench/seed builds. The worst case
 * is an unscheduled day off announced city-wide a few working days ahead (a typhoon): nearly every
 * open case's deadline lies after it, so nearly every one is re-derived, in the one transaction that
 * stores the change, while those cases are locked.
 *
 *   npm run bench:calendar -- [--db pakn_scale] [--ahead 3] [--rounds 3]
 *
 * Each round confirms, through the calendar service as an admin's PUT /api/v1/calendar/years/{year}
 * does, the city's schedule of that year plus one day off `--ahead` working days from today, then
 * puts the schedule back as it was (re-deriving the same cases back). Beside it, in the same round,
 * the floor: one bare UPDATE of the same cases' deadlines and versions, rolled back. Reported: wall
 * time of each, cases moved, time per case, and the ratio to the floor. The database keeps the
 * schedule as it was, now confirmed by the seed's admin.
 *
 * Results: printed, and bench/results/calendar-<tag>.json (git-ignored).
 */
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createContainer } from '../../src/container.ts';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.ts';
import type { StaffActor } from '../../src/modules/audit/audit-actor.ts';
import { defaultCalendar } from '../../src/modules/sla/calendar.ts';
import { dayNumberOf, isoDateOf, localToInstant } from '../../src/modules/sla/local-day.ts';
import { isWorkingDay } from '../../src/modules/sla/working-time.ts';
import { vietnamDayOf } from '../../src/shared/vietnam-day.ts';
import { intArg, parseCommandLine } from '../lib/cli.ts';
import { machineInfo } from '../lib/machine.ts';
import { databaseUrl } from '../lib/pg-admin.ts';
import { root, runTag, writeResult } from '../lib/results.ts';
import { requireCompleteSeed } from '../seed/note.ts';

const args = parseCommandLine(import.meta.url, {
  db: { type: 'string', default: 'pakn_scale' },
  ahead: { type: 'string', default: '3' },
  rounds: { type: 'string', default: '3' },
});
const ahead = intArg('ahead', args.ahead, 1, 200);
const rounds = intArg('rounds', args.rounds, 1, 50);
const log = (msg: string) => process.stdout.write(`${msg}\n`);
const tag = runTag();

const config = loadConfig({
  ...process.env,
  DATABASE_URL: databaseUrl(loadConfig().DATABASE_URL, args.db),
  REDIS_PREFIX: `bench-calendar-${tag}`,
  LOG_LEVEL: 'silent',
});
const container = await createContainer(config, { role: 'api' });
const { db, calendars } = container;
await requireCompleteSeed(db, args.db, () => container.close());
if ((await pendingMigrations(db)).length) log(`applied ${(await migrateToLatest(db)).join(', ')}`);

const adminRow = await db
  .selectFrom('users')
  .select(['id', 'username'])
  .where('role', '=', 'admin')
  .orderBy('id')
  .executeTakeFirstOrThrow();
const caller: StaffActor = {
  kind: 'user',
  userId: adminRow.id,
  username: adminRow.username,
  role: 'admin',
  wardId: null,
  departmentId: null,
  address: null,
};

// The day off: `ahead` working days after today (Vietnam), on the calendar the seed gave every ward.
const calendar = defaultCalendar();
let day = dayNumberOf(vietnamDayOf(new Date())) as number;
for (let n = 0; n < ahead; ) if (isWorkingDay(calendar, isoDateOf(++day))) n++;
const dayOff = isoDateOf(day);
const year = Number(dayOff.slice(0, 4));
const from = new Date(localToInstant(calendar.timezone, day, 0));
const current = await calendars.getYear(caller, null, year);
const schedule = {
  daysOff: current.daysOff,
  workingDays: current.workingDays,
  note: current.note ?? undefined,
};

const candidates = (
  await sql<{ id: string }>`
    SELECT c.id FROM cases c
    WHERE c.status IN ('received', 'assigned', 'in_progress')
      AND (c.accept_due_at >= ${from} OR c.due_at >= ${from}
           OR EXISTS (SELECT 1 FROM case_timers t WHERE t.case_id = c.id AND t.status = 'pending' AND t.due_at >= ${from}))`.execute(
    db,
  )
).rows.map((r) => r.id);
const open = (
  await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM cases WHERE status IN ('received', 'assigned', 'in_progress', 'awaiting_info')`.execute(
    db,
  )
).rows[0]?.n;
log(
  `${args.db}: ${open} open cases; a day off on ${dayOff} (${ahead} working days ahead) can move ${candidates.length} of them (the ${year} schedule is ${current.status}, ${current.source})`,
);

/** The floor: the same rows' deadlines and versions in one statement, rolled back. */
async function floor(): Promise<number> {
  const t = performance.now();
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`UPDATE cases SET due_at = due_at + interval '1 day', version = version + 1
                WHERE id = ANY(${candidates}::bigint[])`.execute(trx);
      throw new Rollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
  return performance.now() - t;
}
class Rollback extends Error {}

const ms = (x: number) => Math.round(x * 10) / 10;
const results: { floorMs: number; confirmMs: number; moved: number; revertMs: number; movedBack: number }[] =
  [];
for (let round = 1; round <= rounds; round++) {
  const floorMs = await floor();
  let t = performance.now();
  const confirmed = await calendars.putYear(caller, null, year, {
    ...schedule,
    daysOff: [...schedule.daysOff, { date: dayOff, name: 'Nghỉ do bão (bench:calendar)' }],
  });
  const confirmMs = performance.now() - t;
  t = performance.now();
  const reverted = await calendars.putYear(caller, null, year, schedule);
  const revertMs = performance.now() - t;
  results.push({
    floorMs: ms(floorMs),
    confirmMs: ms(confirmMs),
    moved: confirmed.recalculatedCases,
    revertMs: ms(revertMs),
    movedBack: reverted.recalculatedCases,
  });
  log(
    `round ${round}: floor ${ms(floorMs)} ms; confirm ${ms(confirmMs)} ms, ${confirmed.recalculatedCases} cases moved (${ms((confirmMs * 1000) / Math.max(1, confirmed.recalculatedCases))} µs a case, ${ms(confirmMs / floorMs)}× the floor); back ${ms(revertMs)} ms, ${reverted.recalculatedCases} moved`,
  );
}

const file = writeResult(`calendar-${tag}.json`, {
  tag,
  machine: machineInfo(),
  db: args.db,
  dayOff,
  year,
  open,
  candidates: candidates.length,
  results,
});
log(`results in ${path.relative(root, file)}`);
await container.close();
