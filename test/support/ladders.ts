import type { Db } from '../../src/db/database.ts';

/**
 * The ladder presets: escalation policies and SLAs in seconds on the continuous clock, so that a
 * whole ladder falls due while a test waits for it.
 */

/** An answer SLA of `duration` on the continuous clock, urgent or not. */
export const continuousSla = (duration: string) => ({
  normal: { duration, clock: 'continuous' },
  urgent: { duration, clock: 'continuous' },
});

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

/** A 3 s answer SLA and its ladder: reminder at 2 s, overdue at 3 s, the chairman at 5 s. */
export const secondsSla = continuousSla('PT3S');
export const secondsPolicy = continuousLadder('PT2S');

/** A 2 s answer SLA and its ladder a second apart: the head reminded at 1 s, the rest at 2 s and 3 s. */
export const quickSla = continuousSla('PT2S');
export const quickPolicy = continuousLadder('PT1S');

/** Sets the ward's escalation policy straight in the database (`secondsPolicy` unless given). */
export async function setWardPolicy(db: Db, wardId: string, policy: object = secondsPolicy): Promise<void> {
  await db
    .insertInto('escalation_policies')
    .values({ ward_id: wardId, policy: JSON.stringify(policy) })
    .onConflict((oc) =>
      oc.column('ward_id').doUpdateSet({ policy: JSON.stringify(policy), updated_at: new Date() }),
    )
    .execute();
}
