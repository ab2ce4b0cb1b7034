import { z } from 'zod';
import { idSchema } from '../../shared/http.ts';

const groupBySchema = z.enum(['department', 'category', 'channel']);

export const slaReportQuery = z.object({
  wardId: idSchema
    .optional()
    .meta({ description: 'The ward; staff of a ward get their own. Admin: omit for the whole city' }),
  from: z.iso
    .date()
    .optional()
    .meta({ description: 'First day of receipt (Vietnam), inclusive; default 29 days before `to`' }),
  to: z.iso
    .date()
    .optional()
    .meta({ description: 'Last day of receipt (Vietnam), inclusive; default today' }),
  groupBy: groupBySchema.default('department'),
  format: z.enum(['json', 'csv', 'xlsx']).optional().meta({
    description: 'csv or xlsx: the same as asking for it in `Accept` (for links that cannot set headers)',
  }),
});
export type SlaReportQuery = z.output<typeof slaReportQuery>;

const slaReportRowSchema = z.object({
  key: z
    .string()
    .nullable()
    .meta({ description: 'Department id, category code or channel; null: not dispatched / unclassified' }),
  name: z.string(),
  received: z.number().int(),
  answered: z.number().int(),
  answeredOnTime: z.number().int(),
  overdueOpen: z.number().int(),
  onTimeRate: z.number().nullable().meta({ description: 'answeredOnTime / answered; null without answers' }),
  medianAnswerHours: z
    .number()
    .nullable()
    .meta({ description: "From dispatch to answer, in the ward's working hours" }),
  averageRating: z.number().nullable(),
});

export const slaReportSchema = z
  .object({
    wardId: z.string().nullable(),
    wardName: z.string().nullable().meta({ description: "The ward's name; null for the whole city" }),
    from: z.iso.date(),
    to: z.iso.date(),
    groupBy: groupBySchema,
    generatedAt: z.iso.datetime(),
    rows: z
      .array(slaReportRowSchema)
      .meta({ description: 'Best on-time rate first (the ranking); rows without answers last' }),
  })
  .meta({ id: 'SlaReport' });
