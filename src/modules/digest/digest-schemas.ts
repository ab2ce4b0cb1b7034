import { z } from 'zod';
import { caseStatuses } from '../../db/types.ts';
import { idSchema } from '../../shared/http.ts';

const caseStatus = z.enum(caseStatuses);

export const digestQuery = z.object({
  wardId: idSchema
    .optional()
    .meta({ description: 'The ward; staff of a ward get their own. Admin: required' }),
});

export const digestSchema = z
  .object({
    wardId: z.string(),
    wardName: z.string(),
    timezone: z.string(),
    asOf: z.iso.datetime(),
    unanswered: z.number().int(),
    late: z.number().int(),
    departments: z
      .array(
        z.object({
          departmentId: z
            .string()
            .nullable()
            .meta({ description: 'null: not dispatched yet, in the hands of the ward office' }),
          name: z.string(),
          heads: z
            .array(z.string())
            .meta({ description: "The department heads' names (the ward office's staff for null)" }),
          unanswered: z.number().int(),
          late: z.number().int(),
          cases: z
            .array(
              z.object({
                id: z.string(),
                code: z.string(),
                title: z.string().meta({ description: "Without the reporter's name or phone" }),
                status: caseStatus,
                statusLabel: z.string(),
                deadline: z.iso
                  .datetime()
                  .nullable()
                  .meta({ description: 'acceptDueAt while received, dueAt after' }),
                late: z.boolean(),
                hoursLate: z.number().meta({ description: 'Working hours past the deadline, one decimal' }),
              }),
            )
            .meta({ description: 'Late cases first (longest late first), then by the nearest deadline' }),
        }),
      )
      .meta({ description: 'Departments with unanswered cases, most late cases first' }),
  })
  .meta({ id: 'Digest' });

export const digestHistoryQuery = digestQuery.extend({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const digestHistorySchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        wardId: z.string(),
        scheduledFor: z.iso.datetime().meta({ description: 'The occurrence of DIGEST_SCHEDULE it is for' }),
        createdAt: z.iso.datetime(),
        unanswered: z.number().int(),
        late: z.number().int(),
        notified: z.number().int().meta({ description: 'Chairmen notified in the app' }),
        emails: z.array(
          z.object({
            to: z.string(),
            status: z.enum(['pending', 'delivered', 'failed']),
            attempts: z.number().int(),
            lastStatusCode: z.number().int().nullable().meta({ description: 'The SMTP reply code' }),
            lastError: z.string().nullable(),
            deliveredAt: z.iso.datetime().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'DigestHistory' });
