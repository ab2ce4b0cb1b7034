import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.ts';

/** What an escalation ladder did, read from the database: the steps fired, the people told. */

export type EscalationRow = {
  case_id: string;
  step: string;
  generation: number;
  due_at: Date;
  fired_at: Date;
};

/** The escalations of these cases, in the order they fired. */
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

/** The steps fired for the case, sorted: steps that fell due together fire in no particular order. */
export const sortedStepsOf = (rows: EscalationRow[], caseId: string) =>
  rows
    .filter((e) => e.case_id === caseId)
    .map((e) => e.step)
    .sort();

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
