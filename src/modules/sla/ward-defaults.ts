import type { Conn } from '../../db/database.ts';
import { defaultWeeklyCalendar } from './calendar.ts';
import { defaultEscalationPolicy } from './escalation-policy.ts';

/**
 * Stores the default office hours and escalation ladder for a ward that has none of its own (the demo
 * seed), so the ward office sees them as settings it can change; a ward without them runs on the same
 * defaults anyway. Leaves what the ward has; says which it stored.
 */
export async function storeWardDefaults(
  db: Conn,
  wardId: string,
): Promise<{ calendar: boolean; policy: boolean }> {
  const calendar = await db
    .insertInto('ward_calendars')
    .values({ ward_id: wardId, calendar: JSON.stringify(defaultWeeklyCalendar()) })
    .onConflict((oc) => oc.column('ward_id').doNothing())
    .returning('ward_id')
    .executeTakeFirst();
  const policy = await db
    .insertInto('escalation_policies')
    .values({ ward_id: wardId, policy: JSON.stringify(defaultEscalationPolicy()) })
    .onConflict((oc) => oc.column('ward_id').doNothing())
    .returning('ward_id')
    .executeTakeFirst();
  return { calendar: calendar !== undefined, policy: policy !== undefined };
}
