/**
 * ISO 8601 durations as used by SLA policies and escalation offsets (design.md §4):
 * an optional leading `-`, then `PnW`, `PnD`, `PTnHnMnS` or a mix such as `P1DT2H`.
 * Components are non-negative integers; fractions are refused.
 */

export type Duration = {
  sign: 1 | -1;
  /** Whole days; weeks are folded in as 7 days. */
  days: number;
  /** Hours, minutes and seconds folded into seconds. */
  seconds: number;
};

export class DurationError extends Error {
  override name = 'DurationError';
}

const PATTERN = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const SECONDS_PER_DAY = 86_400;

function invalid(text: unknown, why?: string): DurationError {
  const shown = typeof text === 'string' ? JSON.stringify(text) : String(text);
  return new DurationError(`Invalid ISO 8601 duration: ${shown}${why ? ` (${why})` : ''}`);
}

function toInt(part: string | undefined): number {
  return part === undefined ? 0 : Number(part);
}

export function parseDuration(text: string): Duration {
  if (typeof text !== 'string') throw invalid(text, 'expected a string');
  const m = PATTERN.exec(text);
  if (!m) throw invalid(text);
  const [, minus, w, d, h, min, s] = m;
  if (w === undefined && d === undefined && h === undefined && min === undefined && s === undefined) {
    throw invalid(text, 'no component');
  }
  if (text.includes('T') && h === undefined && min === undefined && s === undefined) {
    throw invalid(text, 'no time component after T');
  }
  const days = toInt(w) * 7 + toInt(d);
  const seconds = toInt(h) * 3600 + toInt(min) * 60 + toInt(s);
  if (!Number.isSafeInteger(days) || !Number.isSafeInteger(seconds)) throw invalid(text, 'too large');
  if (!Number.isSafeInteger(days * SECONDS_PER_DAY + seconds)) throw invalid(text, 'too large');
  return { sign: minus ? -1 : 1, days, seconds };
}

export function isValidDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** Length on the continuous clock, signed (a day is 86 400 s). */
export function durationToSeconds(d: Duration): number {
  return d.sign * (d.days * SECONDS_PER_DAY + d.seconds);
}

export function isZeroDuration(d: Duration): boolean {
  return d.days === 0 && d.seconds === 0;
}

/**
 * The longest duration the API accepts anywhere (SLAs, escalation offsets, extensions, the deadline
 * calculator), either sign: a year, where real ones are days or weeks. Longer ones are typing
 * mistakes that fall off the end of the representable dates (P999999999D) or keep the working-time
 * arithmetic, which walks the calendar day by day, busy for minutes.
 */
export const MAX_DURATION_DAYS = 366;

/** A valid duration no longer than MAX_DURATION_DAYS (a day counted as 86 400 s). */
export function isWithinDurationLimit(text: string): boolean {
  try {
    const d = parseDuration(text);
    return d.days * SECONDS_PER_DAY + d.seconds <= MAX_DURATION_DAYS * SECONDS_PER_DAY;
  } catch {
    return false;
  }
}

/** A duration with both a day part and a time part (`P1DT2H`), which the working clock refuses. */
export function mixesDaysAndTime(text: string): boolean {
  try {
    const d = parseDuration(text);
    return d.days > 0 && d.seconds > 0;
  } catch {
    return false;
  }
}
