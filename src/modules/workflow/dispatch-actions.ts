import type { z } from 'zod';
import { badRequest, conflict } from '../../shared/errors.ts';
import type { Principal } from '../auth/principal.ts';
import { type CaseWithCategory, findCase } from '../cases/case-repository.ts';
import { answerDeadline } from '../sla/deadlines.ts';
import type { assignBody, rejectBody } from './action-schemas.ts';
import { running, type WorkflowEngine } from './engine.ts';

/** The ward office dispatches a case to a department (or transfers it), or refuses it. */
export function dispatchActions({ run, contextOf, slaOf }: WorkflowEngine) {
  return {
    assign: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof assignBody>) =>
      run(caller, id, ifMatch, 'assign', async (row, trx, now) => {
        const dept = await trx
          .selectFrom('departments')
          .select(['id', 'name', 'active'])
          .where('id', '=', body.departmentId)
          .where('ward_id', '=', row.ward_id)
          .executeTakeFirst();
        if (!dept)
          throw badRequest('Đơn vị không thuộc phường/xã của phản ánh.', [
            { path: 'departmentId', message: 'Không tìm thấy đơn vị trong phường/xã' },
          ]);
        if (!dept.active)
          throw conflict(
            `Đơn vị "${dept.name}" đã ngừng hoạt động, không nhận phản ánh mới; hãy chọn đơn vị khác.`,
            'department-inactive',
          );
        const ctx = await contextOf(row, body.categoryCode ?? row.category_code ?? undefined);
        if (body.categoryCode && !ctx.category)
          throw badRequest(`Không có lĩnh vực mã ${body.categoryCode}.`, [
            { path: 'categoryCode', message: 'Không tìm thấy lĩnh vực' },
          ]);
        // Re-filed under another category: it must still take cases (its own category a case keeps).
        if (body.categoryCode && ctx.category && ctx.category.id !== row.category_id && !ctx.category.active)
          throw conflict(
            `Lĩnh vực "${ctx.category.name}" (${ctx.category.code}) đã ngừng sử dụng; hãy chọn lĩnh vực khác.`,
            'category-inactive',
          );
        const dueAt = answerDeadline(ctx.calendar, now, slaOf(ctx, row));
        return {
          patch: {
            department_id: dept.id,
            category_id: ctx.category?.id ?? row.category_id,
            assigned_at: now,
            due_at: dueAt,
            paused_at: null,
            sla_remaining_seconds: null,
          },
          event: row.status === 'received' ? 'assigned' : 'transferred',
          data: {
            departmentId: dept.id,
            departmentName: dept.name,
            fromDepartmentId: row.department_id,
            dueAt: dueAt.toISOString(),
            note: body.note ?? null,
            ...(body.categoryCode ? { categoryCode: body.categoryCode } : {}),
          },
          ...(body.categoryCode && ctx.category
            ? { category: { code: ctx.category.code, publication: ctx.category.publication } }
            : {}),
          deadlines: running(dueAt),
          message: { kind: 'assigned', data: { departmentName: dept.name, dueAt: dueAt.toISOString() } },
        };
      }),

    reject: (caller: Principal, id: string, ifMatch: string | undefined, body: z.output<typeof rejectBody>) =>
      run(caller, id, ifMatch, 'reject', async (row, trx) => {
        let original: CaseWithCategory | undefined;
        if (body.duplicateOf !== undefined) {
          const found =
            body.duplicateOf !== row.id &&
            (await findCase(trx, body.duplicateOf, { kind: 'ward', wardId: row.ward_id }));
          if (!found)
            throw badRequest('Phản ánh gốc không tồn tại trong phường/xã.', [
              { path: 'duplicateOf', message: 'Không tìm thấy phản ánh gốc' },
            ]);
          original = found;
        }
        return {
          patch: {
            reject_reason: body.reason,
            duplicate_of: body.duplicateOf ?? null,
            closed_at: new Date(),
          },
          event: 'rejected',
          data: { reason: body.reason, note: body.note ?? null, duplicateOf: body.duplicateOf ?? null },
          deadlines: { acceptDueAt: null, dueAt: null },
          message: {
            kind: 'rejected',
            data: { reason: body.reason, duplicateOfCode: original?.code ?? null },
          },
        };
      }),
  };
}
