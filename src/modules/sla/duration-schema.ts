import { z } from 'zod';
import { isValidDuration, isWithinDurationLimit, MAX_DURATION_DAYS } from './duration.ts';

/** An ISO 8601 duration as the API takes it (SLA policies, escalation offsets, extensions, deadlines). */
export const durationSchema = z
  .string()
  .max(40)
  .refine(isValidDuration, 'Thời hạn phải là chuỗi ISO 8601, ví dụ P5D, PT4H, PT30S')
  .refine(
    (d) => !isValidDuration(d) || isWithinDurationLimit(d),
    `Thời hạn dài tối đa ${MAX_DURATION_DAYS} ngày`,
  );
