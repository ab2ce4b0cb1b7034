import type { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { dueAfterResume, remainingAtPause } from '../sla/deadlines.ts';
import type { noteBody, optionalNoteBody, respondBody } from './action-schemas.ts';
import { type Change, running, type WorkflowEngine } from './engine.ts';

/**
 * What the department does with a case: take it, return it, ask for information, resume. Answering
 * (the head's, or an officer's answer or proposal) is in answer-proposal-actions.ts.
 */
export function departmentActions({ run, contextOf, slaOf }: WorkflowEngine) {
  return {
    accept: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof optionalNoteBody>,
    ) =>
      run(caller, id, ifMatch, 'accept', async () => ({
        patch: {},
        event: 'accepted',
        data: { note: body?.note ?? null },
      })),

    return: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof noteBody>) =>
      run(caller, id, ifMatch, 'return', async (row) => ({
        // Back to the ward office, whose acceptance clock kept running (design.md §3).
        patch: {
          department_id: null,
          assigned_at: null,
          due_at: null,
          paused_at: null,
          sla_remaining_seconds: null,
        },
        event: 'returned',
        data: { departmentId: row.department_id, note: body.note },
        deadlines: { acceptDueAt: row.accept_due_at, dueAt: null },
      })),

    requestInfo: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof noteBody>,
    ) =>
      run(caller, id, ifMatch, 'request_info', async (row, _trx, now) => {
        const ctx = await contextOf(row);
        const dueAt = row.due_at ?? now;
        const remaining = remainingAtPause(ctx.calendar, slaOf(ctx, row).clock, now, dueAt);
        return {
          patch: { paused_at: now, sla_remaining_seconds: remaining },
          event: 'info_requested',
          data: { note: body.note, remainingSeconds: remaining },
          // The clock stops: no timers until it resumes.
          deadlines: { acceptDueAt: null, dueAt: null },
        };
      }),

    resume: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof optionalNoteBody>,
    ) =>
      run(caller, id, ifMatch, 'resume', async (row, _trx, now) => {
        const ctx = await contextOf(row);
        const dueAt = dueAfterResume(
          ctx.calendar,
          slaOf(ctx, row).clock,
          now,
          row.sla_remaining_seconds ?? 0,
        );
        return {
          patch: { paused_at: null, sla_remaining_seconds: null, due_at: dueAt },
          event: 'resumed',
          data: {
            note: body?.note ?? null,
            dueAt: dueAt.toISOString(),
            pausedAt: row.paused_at?.toISOString() ?? null,
          },
          deadlines: running(dueAt),
        };
      }),
  };
}

/**
 * What answering a case changes, whoever's words they are (the head's, an officer's where no approval
 * is needed, or an approved proposal): the answer and its time — on time or late as of now — the
 * escalation timers cleared, the reporter told.
 */
export function answering(
  body: z.output<typeof respondBody>,
  now: Date,
  event: string,
  data: Record<string, unknown> = {},
): Change {
  return {
    patch: {
      answer_text: body.answer,
      answered_at: now,
      answer_attachments: JSON.stringify(body.attachments) as never,
    },
    event,
    // The answer as given stays on the timeline, whatever public text the ward office publishes.
    data: { answer: body.answer, attachments: body.attachments.length, ...data },
    deadlines: { acceptDueAt: null, dueAt: null },
    message: { kind: 'answered', data: {} },
  };
}
