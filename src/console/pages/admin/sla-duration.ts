import { isValidDuration, parseDuration } from '../../../modules/sla/duration.ts';

/**
 * An SLA's duration as an admin types and reads it — a number and a unit, "5 ngày làm việc" — rather
 * than the ISO 8601 the API stores (`P5D`, `PT4H`). Pure: the category pages and their tests use it.
 */
export const durationUnits = ['days', 'hours', 'minutes', 'seconds'] as const;
export type DurationUnit = (typeof durationUnits)[number];

const unitWords: Record<DurationUnit, string> = {
  days: 'ngày',
  hours: 'giờ',
  minutes: 'phút',
  seconds: 'giây',
};
const unitSeconds: Record<Exclude<DurationUnit, 'days'>, number> = { hours: 3600, minutes: 60, seconds: 1 };

export const unitLabel = (unit: DurationUnit) => unitWords[unit];

/** `amount` of `unit` in ISO 8601: 5 days → `P5D`, 4 hours → `PT4H`. */
export function toIsoDuration(amount: number, unit: DurationUnit): string {
  if (unit === 'days') return `P${amount}D`;
  return `PT${amount}${unit === 'hours' ? 'H' : unit === 'minutes' ? 'M' : 'S'}`;
}

/**
 * The form's number and unit for a stored duration: days when it is whole days, else the largest of
 * hours, minutes, seconds that measures it (`P1DT2H` → 26 hours: the same length, one unit). Null for
 * what is not a duration.
 */
export function fromIsoDuration(iso: string): { amount: number; unit: DurationUnit } | null {
  if (!isValidDuration(iso)) return null;
  const d = parseDuration(iso);
  if (d.seconds === 0) return { amount: d.days, unit: 'days' };
  const total = d.days * 86_400 + d.seconds;
  for (const unit of ['hours', 'minutes', 'seconds'] as const)
    if (total % unitSeconds[unit] === 0) return { amount: total / unitSeconds[unit], unit };
  return null;
}

/** The duration in Vietnamese words: `P5D` working → "5 ngày làm việc", `PT4H` continuous → "4 giờ". */
export function durationWords(iso: string, clock: 'working' | 'continuous'): string {
  if (!isValidDuration(iso)) return iso;
  const d = parseDuration(iso);
  const h = Math.floor(d.seconds / 3600);
  const m = Math.floor((d.seconds % 3600) / 60);
  const s = d.seconds % 60;
  const parts = [
    d.days ? `${d.days} ngày` : '',
    h ? `${h} giờ` : '',
    m ? `${m} phút` : '',
    s ? `${s} giây` : '',
  ].filter(Boolean);
  const words = parts.length ? parts.join(' ') : '0 phút';
  return `${d.sign < 0 ? '-' : ''}${words}${clock === 'working' ? ' làm việc' : ''}`;
}
