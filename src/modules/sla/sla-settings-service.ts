import type { Db } from '../../db/database.ts';
import { badRequest, notFound } from '../../shared/errors.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { defaultCalendar, validateCalendar, type WardCalendar } from './calendar.ts';
import { DurationError } from './duration.ts';
import { defaultEscalationPolicy, type EscalationPolicy } from './escalation-policy.ts';
import { addDuration, type Clock } from './working-time.ts';

export type SlaSettingsService = ReturnType<typeof createSlaSettingsService>;

/** Per-ward working calendar and escalation ladder: stored as data, edited through the API. */
export function createSlaSettingsService(deps: { db: Db; onChange: () => void }) {
  const { db } = deps;

  /** Staff read only their own ward; admins any. Another ward is 404. */
  async function wardFor(caller: UserPrincipal, wardId: string) {
    if (caller.role !== 'admin' && caller.wardId !== wardId) throw notFound('Không tìm thấy phường/xã.');
    const ward = await db.selectFrom('wards').select('id').where('id', '=', wardId).executeTakeFirst();
    if (!ward) throw notFound('Không tìm thấy phường/xã.');
    return ward.id;
  }

  async function calendarOf(wardId: string): Promise<WardCalendar> {
    const row = await db
      .selectFrom('ward_calendars')
      .select('calendar')
      .where('ward_id', '=', wardId)
      .executeTakeFirst();
    return (row?.calendar as WardCalendar | undefined) ?? defaultCalendar();
  }

  return {
    async getCalendar(caller: UserPrincipal, wardId: string) {
      return calendarOf(await wardFor(caller, wardId));
    },

    async putCalendar(caller: UserPrincipal, wardId: string, calendar: WardCalendar) {
      const id = await wardFor(caller, wardId);
      const normalized: WardCalendar = {
        ...calendar,
        daysOff: [...new Set(calendar.daysOff)].sort(),
        workingDays: [...new Set(calendar.workingDays)].sort(),
      };
      const problems = validateCalendar(normalized);
      if (problems.length) throw badRequest('Lịch làm việc không hợp lệ.', problems);
      await db
        .insertInto('ward_calendars')
        .values({ ward_id: id, calendar: JSON.stringify(normalized) })
        .onConflict((oc) =>
          oc.column('ward_id').doUpdateSet({ calendar: JSON.stringify(normalized), updated_at: new Date() }),
        )
        .execute();
      deps.onChange();
      return normalized;
    },

    async deadline(caller: UserPrincipal, wardId: string, from: Date, duration: string, clock: Clock) {
      const calendar = await calendarOf(await wardFor(caller, wardId));
      try {
        return { dueAt: addDuration(calendar, from, duration, clock).toISOString() };
      } catch (err) {
        if (err instanceof DurationError)
          throw badRequest(err.message, [{ path: 'duration', message: err.message }]);
        throw err;
      }
    },

    async getPolicy(caller: UserPrincipal, wardId: string): Promise<EscalationPolicy> {
      const id = await wardFor(caller, wardId);
      const row = await db
        .selectFrom('escalation_policies')
        .select('policy')
        .where('ward_id', '=', id)
        .executeTakeFirst();
      return (row?.policy as EscalationPolicy | undefined) ?? defaultEscalationPolicy();
    },

    async putPolicy(caller: UserPrincipal, wardId: string, policy: EscalationPolicy) {
      const id = await wardFor(caller, wardId);
      await db
        .insertInto('escalation_policies')
        .values({ ward_id: id, policy: JSON.stringify(policy) })
        .onConflict((oc) =>
          oc.column('ward_id').doUpdateSet({ policy: JSON.stringify(policy), updated_at: new Date() }),
        )
        .execute();
      deps.onChange();
      return policy;
    },
  };
}
