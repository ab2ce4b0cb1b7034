import type { z } from 'zod';
import { conflict } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { answerDeadline } from '../sla/deadlines.ts';
import type { closeBody, noteBody, publicationBody, ratingBody, reopenBody } from './action-schemas.ts';
import { running, type WorkflowEngine } from './engine.ts';
import { publicationDecision } from './publication-decision.ts';

/** The ward office's part once a case is answered, and what follows: refuse, close, publish, reopen, rate. */
export function officeActions(
  { run, contextOf, slaOf }: WorkflowEngine,
  options: { reopenWindowDays: number },
) {
  return {
    refuseAnswer: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof noteBody>,
    ) =>
      run(caller, id, ifMatch, 'refuse_answer', async (row) => ({
        // The answer misses the point: back to the department with the same deadline.
        patch: { answer_text: null, answered_at: null, answer_attachments: '[]' as never },
        event: 'answer_refused',
        data: { note: body.note, refusedAnswer: row.answer_text },
        deadlines: running(row.due_at),
      })),

    close: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof closeBody>) =>
      run(caller, id, ifMatch, 'close', async (row, _trx, now) => {
        const decision = publicationDecision(row, body?.publish, body?.publicAnswer);
        return {
          patch: { closed_at: now, ...decision.patch },
          event: 'closed',
          data: { note: body?.note ?? null, publication: decision.data },
          message: { kind: 'closed', data: {} },
        };
      }),

    /** The ward office changes its mind about a closed case's public answer (or its words). */
    publish: (
      caller: Principal,
      id: string,
      ifMatch: string | undefined,
      body: z.output<typeof publicationBody>,
    ) =>
      run(caller, id, ifMatch, 'publish', async (row) => {
        const decision = publicationDecision(row, body.publish, body.publicAnswer);
        return { patch: decision.patch, event: 'publication_changed', data: decision.data };
      }),

    reopen: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof reopenBody>) =>
      run(caller, id, ifMatch, 'reopen', async (row, _trx, now) => {
        const closedAt = row.closed_at ?? now;
        if (now.getTime() - closedAt.getTime() > options.reopenWindowDays * 86_400_000)
          throw conflict(
            `Chỉ mở lại được trong ${options.reopenWindowDays} ngày sau khi hoàn thành.`,
            'reopen-window',
          );
        const ctx = await contextOf(row);
        const dueAt = answerDeadline(ctx.calendar, now, slaOf(ctx, row));
        return {
          patch: {
            closed_at: null,
            answered_at: null,
            answer_text: null,
            answer_published: null,
            public_answer: null,
            answer_attachments: '[]' as never,
            assigned_at: now,
            due_at: dueAt,
          },
          event: 'reopened',
          data: { reason: body.reason, previousAnswer: row.answer_text, dueAt: dueAt.toISOString() },
          deadlines: running(dueAt),
        };
      }),

    rate: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof ratingBody>) =>
      run(caller, id, ifMatch, 'rate', async () => ({
        patch: { rating_score: body.score, rating_comment: body.comment ?? null },
        event: 'rated',
        data: { score: body.score, comment: body.comment ?? null },
      })),
  };
}
