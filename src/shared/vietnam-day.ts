import { tz } from '@date-fns/tz';
import { format } from 'date-fns/format';

/** The time zone of Vietnam's wards: days given without a time in the API (filters, report periods), the
 * lunar calendar, the digest's schedule default and every ward's calendar until it sets its own. */
export const vietnamTimeZone = 'Asia/Ho_Chi_Minh';

/** The first instant of `YYYY-MM-DD` in Vietnam (UTC+7, no daylight saving). */
export const vietnamDayStart = (day: string): Date => new Date(`${day}T00:00:00+07:00`);

/** The `YYYY-MM-DD` of an instant in Vietnam. */
export const vietnamDayOf = (at: Date): string => format(at, 'yyyy-MM-dd', { in: tz(vietnamTimeZone) });

/** "17:00 23/11/2026": how a ward office writes a deadline, in the ward's local time. */
export const formatDeadline = (at: Date, timezone: string) =>
  format(at, 'HH:mm dd/MM/yyyy', { in: tz(timezone) });
