import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { badRequest, conflict, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { isUniqueViolation } from '../../shared/pg-errors.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { departmentBody, departmentPatchBody } from './directory-schemas.ts';
import { activeAction, changeObject, type ListArgs, named, type Versioned, wardScope } from './lifecycle.ts';

const departmentColumns = ['id', 'ward_id', 'code', 'name', 'active', 'version'] as const;
type DepartmentRow = Pick<Selectable<Database['departments']>, (typeof departmentColumns)[number]>;
const departmentView = (d: DepartmentRow) => ({
  id: d.id,
  wardId: d.ward_id,
  code: d.code,
  name: d.name,
  active: d.active,
  version: d.version,
});

/**
 * A ward's departments. A deactivated one receives no new case: dispatching to it answers 409, and so
 * does intake for a category whose default department it is, until an admin points the category
 * elsewhere; the cases it has stay with it.
 */
export function createDepartmentService(deps: { db: Db; onChange: () => void }) {
  const { db } = deps;

  const departments: Versioned<DepartmentRow, ReturnType<typeof departmentView>> = {
    table: 'departments',
    columns: departmentColumns,
    noun: 'Đơn vị',
    objectType: 'department',
    view: departmentView,
    wardIdOf: (d) => d.ward_id,
  };
  async function change(
    actor: AuditActor,
    action: string,
    id: string,
    ifMatch: string | undefined,
    set: Record<string, unknown>,
  ) {
    const view = await changeObject(db, departments, { actor, action, id, ifMatch, set });
    deps.onChange();
    return view;
  }

  return {
    async createDepartment(actor: AuditActor, input: z.output<typeof departmentBody>) {
      const ward = await db
        .selectFrom('wards')
        .select('id')
        .where('id', '=', input.wardId)
        .executeTakeFirst();
      if (!ward)
        throw badRequest('Phường/xã không tồn tại.', [{ path: 'wardId', message: 'Không tìm thấy' }]);
      try {
        const view = await db.transaction().execute(async (trx) => {
          const d = await trx
            .insertInto('departments')
            .values({ ward_id: input.wardId, code: input.code, name: input.name })
            .returning(departmentColumns)
            .executeTakeFirstOrThrow();
          const after = departmentView(d);
          await recordAudit(trx, actor, {
            action: 'department.create',
            objectType: 'department',
            objectId: d.id,
            wardId: d.ward_id,
            before: null,
            after,
          });
          return after;
        });
        deps.onChange();
        return view;
      } catch (err) {
        if (isUniqueViolation(err))
          throw conflict(`Mã đơn vị ${input.code} đã có trong phường/xã này.`, 'duplicate');
        throw err;
      }
    },

    async listDepartments(
      caller: UserPrincipal,
      wardId: string | undefined,
      { limit, cursor, active }: ListArgs,
    ) {
      const scope = wardScope(caller);
      if (scope !== null && wardId !== undefined && wardId !== scope)
        throw notFound('Không tìm thấy phường/xã.');
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('departments')
        .select(departmentColumns)
        .orderBy('id')
        .limit(limit + 1);
      const ward = scope ?? wardId;
      if (ward) q = q.where('ward_id', '=', ward);
      if (after) q = q.where('id', '>', after);
      if (active !== undefined) q = q.where('active', '=', active);
      return page(await q.execute(), limit, departmentView);
    },

    /** A department: admins any, other staff those of their ward (404 for another ward's). */
    async getDepartment(caller: UserPrincipal, id: string) {
      const scope = wardScope(caller);
      let q = db.selectFrom('departments').select(departmentColumns).where('id', '=', id);
      if (scope !== null) q = q.where('ward_id', '=', scope ?? '0');
      const d = await q.executeTakeFirst();
      if (!d) throw notFound('Không tìm thấy đơn vị.');
      return departmentView(d);
    },

    updateDepartment: (
      actor: AuditActor,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof departmentPatchBody>,
    ) => change(actor, 'update', id, ifMatch, named(input)),

    setDepartmentActive: (actor: AuditActor, id: string, ifMatch: string | undefined, active: boolean) =>
      change(actor, activeAction(active), id, ifMatch, { active }),
  };
}
