/**
 * What the soak checks in Postgres once the load has stopped and the due escalations have had their
 * grace period: every escalation timer due during the run settled, those of cases left alone fired,
 * each fired timer exactly one escalation (and the reverse), no duplicates, nothing fired after the
 * case was answered, webhook deliveries all delivered; and the escalation lag per window of due time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

const n = (x: unknown) => Number(x ?? 0);
const r3 = (x: unknown) => (x === null || x === undefined ? null : Math.round(Number(x) * 1000) / 1000);

/** Timers due at or before `until` still pending, and deliveries created before `until` still pending. */
export async function unsettled(db: pg.Pool, until: Date, deliveriesUntil: Date) {
  const r = await db.query<{ timers: string; deliveries: string }>(
    `SELECT (SELECT count(*) FROM case_timers WHERE status = 'pending' AND due_at <= $1) AS timers,
            (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending' AND created_at <= $2) AS deliveries`,
    [until, deliveriesUntil],
  );
  return { timers: n(r.rows[0]?.timers), deliveries: n(r.rows[0]?.deliveries) };
}

/**
 * After the load, at most `graceS`: until every timer due before `loadEnd` has settled, then (with a
 * webhook) until every delivery created by then has been delivered. Returns when the timers settled
 * (null: not within the grace) and what was still pending at the last look.
 */
export async function waitUntilSettled(db: pg.Pool, loadEnd: Date, graceS: number, webhook: boolean) {
  const graceEnd = Date.now() + graceS * 1000;
  let settledAt: Date | null = null;
  let pending = { timers: -1, deliveries: -1 };
  while (Date.now() < graceEnd) {
    pending = await unsettled(db, loadEnd, settledAt ?? new Date(8.64e15));
    if (!settledAt && pending.timers === 0) {
      settledAt = new Date();
      if (!webhook) break;
      continue;
    }
    if (settledAt && pending.deliveries === 0) break;
    await sleep(1_000);
  }
  return { settledAt, pending };
}

/** The ids answered 201 that are not in the database. */
export async function missingCases(db: pg.Pool, createdIds: string[]): Promise<string[]> {
  const found = await db.query<{ id: string }>('SELECT id FROM cases WHERE id = ANY($1::bigint[])', [
    createdIds,
  ]);
  const foundIds = new Set(found.rows.map((r) => r.id));
  return createdIds.filter((id) => !foundIds.has(id));
}

export async function verifyEscalations(
  db: pg.Pool,
  o: { loadStart: Date; loadEnd: Date; windowS: number; untouchedCaseIds: string[] },
) {
  const one = async (text: string, values: unknown[] = []) =>
    n(Object.values((await db.query(text, values)).rows[0] ?? {})[0]);

  // Timers due during the run (from set-up to the end of the load), by how they ended.
  const byStatus = await db.query<{ status: string; count: string }>(
    `SELECT status, count(*) FROM case_timers WHERE due_at <= $1 GROUP BY status`,
    [o.loadEnd],
  );
  const due = Object.fromEntries(byStatus.rows.map((r) => [r.status, n(r.count)]));
  const dueTotal = Object.values(due).reduce((a, b) => a + b, 0);

  // Cases no request touched after intake: every step of theirs due during the run must have fired.
  const untouched = await db.query<{ due: string; fired: string; not_fired: string }>(
    `SELECT count(*) AS due,
            count(*) FILTER (WHERE status = 'fired') AS fired,
            count(*) FILTER (WHERE status <> 'fired') AS not_fired
     FROM case_timers WHERE due_at <= $1 AND case_id = ANY($2::bigint[])`,
    [o.loadEnd, o.untouchedCaseIds],
  );
  const u = untouched.rows[0];

  const firedWithoutEscalation = await one(
    `SELECT count(*) FROM case_timers t WHERE t.status = 'fired' AND NOT EXISTS (
       SELECT 1 FROM escalations e WHERE e.case_id = t.case_id AND e.step = t.step AND e.generation = t.generation)`,
  );
  const escalationWithoutFiredTimer = await one(
    `SELECT count(*) FROM escalations e WHERE NOT EXISTS (
       SELECT 1 FROM case_timers t WHERE t.case_id = e.case_id AND t.step = e.step
         AND t.generation = e.generation AND t.status = 'fired')`,
  );
  const duplicateKey = await one(
    `SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id, step, generation HAVING count(*) > 1) x`,
  );
  // The same step for the same due time under two generations (replaceTimers must not re-arm it).
  const duplicateDueTime = await one(
    `SELECT count(*) FROM (SELECT 1 FROM escalations GROUP BY case_id, step, due_at HAVING count(*) > 1) x`,
  );
  const duplicateNotifications = await one(
    `SELECT count(*) FROM (SELECT 1 FROM notifications WHERE escalation_id IS NOT NULL
       GROUP BY escalation_id, user_id HAVING count(*) > 1) x`,
  );
  const withoutNotification = await one(
    `SELECT count(*) FROM escalations e WHERE NOT EXISTS (SELECT 1 FROM notifications x WHERE x.escalation_id = e.id)`,
  );
  // The firing transaction starts (fired_at = its now()) before it share-locks the case; an action
  // stamps answered_at after it has the case locked. So a step that fired legitimately always has
  // fired_at < answered_at; later means it fired for a case no longer waiting for an answer.
  const firedAfterAnswer = await one(
    `SELECT count(*) FROM escalations e JOIN cases c ON c.id = e.case_id
     WHERE e.step <> 'accept_overdue' AND c.answered_at IS NOT NULL
       AND e.fired_at > c.answered_at + interval '5 milliseconds'`,
  );

  // Lag (fired_at - due_at) over the run, and per window of due time (window -1: before the load).
  const lagSql = `count(*) AS fired,
     percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fired_at - due_at)) AS p50,
     percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM fired_at - due_at)) AS p99,
     max(extract(epoch FROM fired_at - due_at)) AS max`;
  type LagRow = { fired: string; p50: string | null; p99: string | null; max: string | null };
  const lag = (r: LagRow | undefined) => ({
    fired: n(r?.fired),
    lagS: { p50: r3(r?.p50), p99: r3(r?.p99), max: r3(r?.max) },
  });
  const overall = await db.query<LagRow>(`SELECT ${lagSql} FROM escalations WHERE due_at <= $1`, [o.loadEnd]);
  const perWindowRows = await db.query<LagRow & { w: number }>(
    `SELECT floor(extract(epoch FROM due_at - $1::timestamptz) / $2)::int AS w, ${lagSql}
     FROM escalations WHERE due_at <= $3 GROUP BY 1 ORDER BY 1`,
    [o.loadStart, o.windowS, o.loadEnd],
  );
  const dueRows = await db.query<{ w: number; due: string; cancelled: string }>(
    `SELECT floor(extract(epoch FROM due_at - $1::timestamptz) / $2)::int AS w, count(*) AS due,
            count(*) FILTER (WHERE status = 'cancelled') AS cancelled
     FROM case_timers WHERE due_at <= $3 GROUP BY 1 ORDER BY 1`,
    [o.loadStart, o.windowS, o.loadEnd],
  );
  const perWindow = dueRows.rows.map((d) => {
    const f = perWindowRows.rows.find((x) => x.w === d.w);
    return { window: d.w, timersDue: n(d.due), cancelled: n(d.cancelled), ...lag(f) };
  });
  const bySteps = await db.query<{ step: string; count: string }>(
    `SELECT step, count(*) FROM escalations WHERE due_at <= $1 GROUP BY step ORDER BY step`,
    [o.loadEnd],
  );

  const result = {
    timersDue: dueTotal,
    timersDueByStatus: due,
    pendingAfterGrace: due.pending ?? 0,
    untouchedCases: o.untouchedCaseIds.length,
    untouchedTimersDue: n(u?.due),
    untouchedTimersFired: n(u?.fired),
    untouchedTimersNotFired: n(u?.not_fired),
    escalationsFiredBySteps: Object.fromEntries(bySteps.rows.map((r) => [r.step, n(r.count)])),
    firedWithoutEscalation,
    escalationWithoutFiredTimer,
    duplicates: { byKey: duplicateKey, byDueTime: duplicateDueTime, notifications: duplicateNotifications },
    withoutNotification,
    firedAfterAnswer,
    lag: lag(overall.rows[0]),
    perWindow,
  };
  const ok =
    result.pendingAfterGrace === 0 &&
    result.untouchedTimersNotFired === 0 &&
    firedWithoutEscalation === 0 &&
    escalationWithoutFiredTimer === 0 &&
    duplicateKey + duplicateDueTime + duplicateNotifications === 0 &&
    withoutNotification === 0 &&
    firedAfterAnswer === 0;
  return { ...result, ok };
}

/** Webhook deliveries (all created during the run and the grace period) against what the receiver saw. */
export async function verifyDeliveries(db: pg.Pool, seen: Map<string, number>) {
  const rows = await db.query<{ id: string; status: string; attempts: number; event: string }>(
    'SELECT id, status, attempts, event FROM webhook_deliveries',
  );
  const byStatus: Record<string, number> = {};
  const byEvent: Record<string, number> = {};
  let deliveredNotSeen = 0;
  let retried = 0;
  for (const r of rows.rows) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    byEvent[r.event] = (byEvent[r.event] ?? 0) + 1;
    if (r.status === 'delivered' && !seen.has(r.id)) deliveredNotSeen++;
    if (r.attempts > 1) retried++;
  }
  const known = new Set(rows.rows.map((r) => r.id));
  const seenUnknown = [...seen.keys()].filter((id) => !known.has(id)).length;
  return { total: rows.rowCount ?? 0, byStatus, byEvent, retried, deliveredNotSeen, seenUnknown };
}

/** Cases and the rows they brought, at the end. */
export async function tableCounts(db: pg.Pool) {
  const r = await db.query(
    `SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM case_events) AS events,
            (SELECT count(*) FROM case_timers) AS timers, (SELECT count(*) FROM escalations) AS escalations,
            (SELECT count(*) FROM notifications) AS notifications,
            (SELECT count(*) FROM webhook_deliveries) AS deliveries`,
  );
  return Object.fromEntries(Object.entries(r.rows[0] ?? {}).map(([k, v]) => [k, n(v)]));
}

/**
 * How the tables were read during the run (pg_stat_user_tables): rows fetched through indexes and by
 * sequential scans. Rows fetched per index scan growing with the table point at a query whose cost
 * grows with the data (a filter applied after the index, a sort over all matches).
 */
export async function tableReads(db: pg.Pool) {
  const r = await db.query<{
    relname: string;
    seq_scan: string;
    seq_tup_read: string;
    idx_scan: string | null;
    idx_tup_fetch: string | null;
    n_live_tup: string;
  }>(
    `SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_live_tup FROM pg_stat_user_tables
     WHERE relname IN ('cases', 'case_events', 'case_timers', 'escalations', 'notifications', 'webhook_deliveries')
     ORDER BY relname`,
  );
  return Object.fromEntries(
    r.rows.map((x) => [
      x.relname,
      {
        rows: n(x.n_live_tup),
        seqScans: n(x.seq_scan),
        seqRowsRead: n(x.seq_tup_read),
        indexScans: n(x.idx_scan),
        indexRowsFetched: n(x.idx_tup_fetch),
        rowsPerIndexScan: n(x.idx_scan) ? Math.round((n(x.idx_tup_fetch) / n(x.idx_scan)) * 10) / 10 : null,
      },
    ]),
  );
}
