import { z } from 'zod';
import { isValidDuration, isWithinDurationLimit, MAX_DURATION_DAYS } from './duration.ts';

/** An ISO 8601 duration as the API takes it; `examples` are shown in the message when it is not one. */
export const durationString = (examples: string) =>
  z
    .string()
    .max(40)
    .refine(isValidDuration, `Thời hạn phải là chuỗi ISO 8601, ví dụ ${examples}`)
    .refine(
      (d) => !isValidDuration(d) || isWithinDurationLimit(d),
      `Thời hạn dài tối đa ${MAX_DURATION_DAYS} ngày`,
    );

/** A duration (SLA policies, extensions, deadlines); its sign is checked where it matters. */
export const durationSchema = durationString('P5D, PT4H, PT30S');
