import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { badRequest, forbidden, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { checkIfMatch } from '../../shared/versions.ts';
import { isDepartmentRole, type UserPrincipal } from '../auth/principal.ts';
import {
  categoryExists,
  findTemplate,
  insertTemplate,
  listTemplates,
  lockTemplate,
  type TemplateRow,
  type TemplateScope,
  updateTemplate,
} from './answer-template-repository.ts';
import type {
  AnswerTemplateView,
  answerTemplateBody,
  answerTemplatePatchBody,
  answerTemplateQuery,
} from './answer-template-schemas.ts';

export type AnswerTemplateService = ReturnType<typeof createAnswerTemplateService>;

const view = (t: TemplateRow): AnswerTemplateView => ({
  id: t.id,
  wardId: t.ward_id,
  departmentId: t.department_id,
  categoryCode: t.category_code,
  title: t.title,
  body: t.body,
  active: t.active,
  version: t.version,
  updatedAt: t.updated_at.toISOString(),
  updatedBy:
    t.updated_by_user_id === null ? null : { id: t.updated_by_user_id, name: t.updated_by_name ?? '' },
});

const missing = () => notFound('Không tìm thấy mẫu trả lời.');
const unknownCategory = (code: string) =>
  badRequest(`Lĩnh vực ${code} không tồn tại.`, [
    { path: 'categoryCode', message: 'Không tìm thấy lĩnh vực' },
  ]);

/**
 * A department's answer templates (issue 17): its head writes them, its staff read them, and so do
 * the ward office and the chairman of its ward (who follow the answers); admins read every ward's.
 * Another department's or ward's template is 404, as a case outside the caller's scope is.
 */
export function createAnswerTemplateService(deps: { db: Db }) {
  const { db } = deps;

  /** Where the caller may read; `departmentId` narrows it to one department they may read. */
  async function readScope(caller: UserPrincipal, departmentId?: string): Promise<TemplateScope> {
    if (caller.role === 'admin') return departmentId ? { departmentId } : 'all';
    if (isDepartmentRole(caller.role)) {
      const own = caller.departmentId ?? '0';
      if (departmentId !== undefined && departmentId !== own) throw notFound('Không tìm thấy đơn vị.');
      return { departmentId: own };
    }
    const wardId = caller.wardId ?? '0';
    if (departmentId === undefined) return { wardId };
    const department = await db
      .selectFrom('departments')
      .select('id')
      .where('id', '=', departmentId)
      .where('ward_id', '=', wardId)
      .executeTakeFirst();
    if (!department) throw notFound('Không tìm thấy đơn vị.');
    return { departmentId };
  }

  /** The head's own department: the only place they write. */
  function headOf(caller: UserPrincipal): { departmentId: string; wardId: string } {
    if (caller.role !== 'department_head' || !caller.departmentId || !caller.wardId) throw forbidden();
    return { departmentId: caller.departmentId, wardId: caller.wardId };
  }

  async function change(
    caller: UserPrincipal,
    id: string,
    ifMatch: string | undefined,
    set: Parameters<typeof updateTemplate>[2],
  ): Promise<AnswerTemplateView> {
    const { departmentId } = headOf(caller);
    return db.transaction().execute(async (trx) => {
      const row = await lockTemplate(trx, departmentId, id);
      if (!row) throw missing();
      checkIfMatch(ifMatch, row.version, 'Mẫu trả lời');
      if (set.category_code && !(await categoryExists(trx, set.category_code)))
        throw unknownCategory(set.category_code);
      await updateTemplate(trx, id, set, caller.userId);
      const after = await findTemplate(trx, { departmentId }, id);
      if (!after) throw missing();
      return view(after);
    });
  }

  return {
    async list(caller: UserPrincipal, q: z.output<typeof answerTemplateQuery>) {
      const scope = await readScope(caller, q.departmentId);
      const rows = await listTemplates(db, scope, {
        after: decodeCursor(q.cursor),
        limit: q.limit,
        categoryCode: q.categoryCode,
        active: q.active,
      });
      return page(rows, q.limit, view);
    },

    async get(caller: UserPrincipal, id: string): Promise<AnswerTemplateView> {
      const row = await findTemplate(db, await readScope(caller), id);
      if (!row) throw missing();
      return view(row);
    },

    async create(caller: UserPrincipal, input: z.output<typeof answerTemplateBody>) {
      const { departmentId, wardId } = headOf(caller);
      const categoryCode = input.categoryCode ?? null;
      if (categoryCode !== null && !(await categoryExists(db, categoryCode)))
        throw unknownCategory(categoryCode);
      const id = await insertTemplate(db, {
        wardId,
        departmentId,
        categoryCode,
        title: input.title,
        body: input.body,
        userId: caller.userId,
      });
      const row = await findTemplate(db, { departmentId }, id);
      if (!row) throw missing();
      return view(row);
    },

    update: (
      caller: UserPrincipal,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof answerTemplatePatchBody>,
    ) =>
      change(caller, id, ifMatch, {
        ...(input.categoryCode !== undefined ? { category_code: input.categoryCode } : {}),
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.body !== undefined ? { body: input.body } : {}),
      }),

    setActive: (caller: UserPrincipal, id: string, ifMatch: string | undefined, active: boolean) =>
      change(caller, id, ifMatch, { active }),
  };
}
