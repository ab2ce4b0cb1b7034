import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { badRequest, conflict, forbidden, notFound } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { remainingAtPause } from '../sla/deadlines.ts';
import { addDuration } from '../sla/working-time.ts';
import type { extensionBody, optionalNoteBody } from './action-schemas.ts';
import { running, type WorkflowEngine } from './engine.ts';
import {
  decideExtensionRow,
  extensionOfCase,
  extensionView,
  insertExtension,
  pendingExtension,
} from './extension-repository.ts';

/**
 * The extension sub-workflow (design.md §4): the department asks for more time, the ward office
 * approves (the answer deadline moves, or what is left of a paused clock grows) or refuses.
 */
export function extensionActions({ run, contextOf, slaOf }: WorkflowEngine, deps: { db: Db }) {
  return {
    /**
     * The case's extension request waiting for the ward office, or null. The caller has already read
     * the case through the case service (its scope), as for the case's other sub-resources.
     */
    async pendingExtensionOf(caseId: string) {
      const pending = await pendingExtension(deps.db, caseId);
      return pending ? extensionView(deps.db, pending.id) : null;
    },

    async requestExtension(caller: Principal, id: string, body: z.output<typeof extensionBody>) {
      if (caller.kind !== 'user') throw forbidden();
      let requestId = '';
      await run(caller, id, undefined, 'request_extension', async (row, trx) => {
        const ctx = await contextOf(row);
        try {
          addDuration(ctx.calendar, row.due_at ?? new Date(), body.extendBy, slaOf(ctx, row).clock);
        } catch (err) {
          throw badRequest((err as Error).message, [
            { path: 'extendBy', message: 'Không dùng được với đồng hồ của lĩnh vực' },
          ]);
        }
        if (await pendingExtension(trx, row.id))
          throw conflict('Phản ánh đã có một đề nghị gia hạn đang chờ duyệt.', 'extension-pending');
        requestId = await insertExtension(trx, {
          caseId: row.id,
          extendBy: body.extendBy,
          reason: body.reason,
          userId: caller.userId,
        });
        return {
          patch: {},
          event: 'extension_requested',
          data: { extensionRequestId: requestId, extendBy: body.extendBy, reason: body.reason },
        };
      });
      return extensionView(deps.db, requestId);
    },

    async decideExtension(
      caller: Principal,
      id: string,
      rid: string,
      approve: boolean,
      body: z.output<typeof optionalNoteBody>,
    ) {
      if (caller.kind !== 'user') throw forbidden();
      await run(caller, id, undefined, 'decide_extension', async (row, trx, now) => {
        const req = await extensionOfCase(trx, row.id, rid);
        if (!req) throw notFound('Không tìm thấy đề nghị gia hạn.');
        if (req.status !== 'pending')
          throw conflict('Đề nghị gia hạn đã được quyết định.', 'extension-decided');
        await decideExtensionRow(trx, rid, {
          approve,
          userId: caller.userId,
          at: now,
          note: body?.note ?? null,
        });
        const data = { extensionRequestId: rid, extendBy: req.extend_by, note: body?.note ?? null };
        if (!approve) return { patch: {}, event: 'extension_refused', data };
        const ctx = await contextOf(row);
        const clock = slaOf(ctx, row).clock;
        if (row.status === 'awaiting_info') {
          // Paused: the extension lengthens what is left once the clock runs again.
          const base = row.paused_at ?? now;
          const extended = addDuration(ctx.calendar, base, req.extend_by, clock);
          const added = remainingAtPause(ctx.calendar, clock, base, extended);
          const remaining = (row.sla_remaining_seconds ?? 0) + added;
          return {
            patch: { sla_remaining_seconds: remaining },
            event: 'extension_approved',
            data: { ...data, remainingSeconds: remaining },
          };
        }
        const dueAt = addDuration(ctx.calendar, row.due_at ?? now, req.extend_by, clock);
        return {
          patch: { due_at: dueAt },
          event: 'extension_approved',
          data: { ...data, previousDueAt: row.due_at?.toISOString() ?? null, dueAt: dueAt.toISOString() },
          deadlines: running(dueAt),
        };
      });
      return extensionView(deps.db, rid);
    },
  };
}
