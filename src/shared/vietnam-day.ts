import { tz } from '@date-fns/tz';
import { format } from 'date-fns/format';

/** Calendar days given without a time in the API (filters, report periods) are days in Vietnam. */
export const vietnamTimeZone = 'Asia/Ho_Chi_Minh';

/** The first instant of `YYYY-MM-DD` in Vietnam (UTC+7, no daylight saving). */
export const vietnamDayStart = (day: string): Date => new Date(`${day}T00:00:00+07:00`);

/** The `YYYY-MM-DD` of an instant in Vietnam. */
export const vietnamDayOf = (at: Date): string => format(at, 'yyyy-MM-dd', { in: tz(vietnamTimeZone) });
