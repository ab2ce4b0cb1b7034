import { z } from 'zod';
import { roles as allRoles, clocks } from '../../db/types.ts';
import { mixesDaysAndTime } from './duration.ts';
import { durationString } from './duration-schema.ts';

/** Whom a step may notify: any staff role but the admin. */
const roles = z.enum(allRoles).exclude(['admin']);
const clock = z.enum(clocks);
/** A step's offset may be negative: before the deadline. */
const duration = durationString('P1D, -P1D, PT4H');

const escalationStepSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'Khoá bước gồm chữ thường không dấu, chữ số, _'),
  anchor: z.enum(['acceptDueAt', 'dueAt']),
  offset: duration,
  clock,
  notify: z.array(roles).min(1).max(4),
});

export const escalationPolicySchema = z
  .object({
    acceptWithin: z.object({ duration, clock }),
    steps: z.array(escalationStepSchema).max(20),
  })
  .refine((p) => new Set(p.steps.map((s) => s.key)).size === p.steps.length, {
    message: 'Mỗi bước phải có khoá riêng',
    path: ['steps'],
  })
  .superRefine((p, ctx) => {
    const mixed = 'Đồng hồ giờ hành chính không nhận thời hạn trộn ngày và giờ';
    if (p.acceptWithin.clock === 'working' && mixesDaysAndTime(p.acceptWithin.duration))
      ctx.addIssue({ code: 'custom', message: mixed, path: ['acceptWithin', 'duration'] });
    p.steps.forEach((s, i) => {
      if (s.clock === 'working' && mixesDaysAndTime(s.offset))
        ctx.addIssue({ code: 'custom', message: mixed, path: ['steps', i, 'offset'] });
    });
  })
  .meta({ id: 'EscalationPolicy' });

export type EscalationStep = z.infer<typeof escalationStepSchema>;
export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;

/**
 * The ladder a ward gets until it sets its own (design.md §4): the ward office has 8 working hours to
 * dispatch (as iHanoi), the department head is reminded a working day before the answer deadline,
 * the ward office and the head are told when it passes, and the chairman a working day later.
 */
export function defaultEscalationPolicy(): EscalationPolicy {
  return {
    acceptWithin: { duration: 'PT8H', clock: 'working' },
    steps: [
      { key: 'accept_overdue', anchor: 'acceptDueAt', offset: 'PT0S', clock: 'working', notify: ['intake'] },
      { key: 'reminder', anchor: 'dueAt', offset: '-P1D', clock: 'working', notify: ['department_head'] },
      {
        key: 'overdue',
        anchor: 'dueAt',
        offset: 'PT0S',
        clock: 'working',
        notify: ['intake', 'department_head'],
      },
      { key: 'chairman', anchor: 'dueAt', offset: 'P1D', clock: 'working', notify: ['chairman'] },
    ],
  };
}
