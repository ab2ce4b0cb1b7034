import { z } from 'zod';
import { listQuery } from '../../shared/http.ts';

export const notificationSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({
      description:
        "`escalation` for deadline steps, `digest` for the chairman's periodic report, `calendar` for the warning that next year's days off are still provisional, `answer_proposal` (to a department's heads) for an officer's answer waiting for approval, `answer_sent_back` (to the officer) when the head sent it back",
    }),
    caseId: z.string().nullable(),
    caseCode: z.string().nullable(),
    step: z
      .string()
      .nullable()
      .meta({ description: 'The escalation policy step (reminder, overdue, chairman, accept_overdue)' }),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
    title: z.string(),
    body: z.string(),
  })
  .meta({ id: 'Notification' });
export type NotificationView = z.infer<typeof notificationSchema>;

export const inboxQuery = listQuery.extend({
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'true: only notifications not read yet' }),
});
export type InboxQuery = z.output<typeof inboxQuery>;
