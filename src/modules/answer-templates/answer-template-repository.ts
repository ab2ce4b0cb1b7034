import type { Conn } from '../../db/database.ts';

/** The columns of a template's view, with the name of who changed it last. */
const columns = [
  't.id',
  't.ward_id',
  't.department_id',
  't.category_code',
  't.title',
  't.body',
  't.active',
  't.version',
  't.updated_at',
  't.updated_by_user_id',
  'u.full_name as updated_by_name',
] as const;

/** Where a caller may read: one department, a ward's departments, or everywhere (admins). */
export type TemplateScope = { departmentId: string } | { wardId: string } | 'all';

const scoped = (db: Conn, scope: TemplateScope) => {
  let q = db
    .selectFrom('answer_templates as t')
    .leftJoin('users as u', 'u.id', 't.updated_by_user_id')
    .select(columns);
  if (scope !== 'all')
    q =
      'departmentId' in scope
        ? q.where('t.department_id', '=', scope.departmentId)
        : q.where('t.ward_id', '=', scope.wardId);
  return q;
};

export type TemplateRow = Awaited<ReturnType<typeof findTemplate>> & {};

/** One template within the scope (undefined: none, or not the caller's). */
export const findTemplate = (db: Conn, scope: TemplateScope, id: string) =>
  scoped(db, scope).where('t.id', '=', id).executeTakeFirst();

/**
 * A page of templates within the scope, by id: for `categoryCode`, that category's and those for any
 * category.
 */
export function listTemplates(
  db: Conn,
  scope: TemplateScope,
  o: {
    after?: string | undefined;
    limit: number;
    categoryCode?: string | undefined;
    active?: boolean | undefined;
  },
) {
  let q = scoped(db, scope)
    .orderBy('t.id')
    .limit(o.limit + 1);
  if (o.after) q = q.where('t.id', '>', o.after);
  if (o.active !== undefined) q = q.where('t.active', '=', o.active);
  const category = o.categoryCode;
  if (category !== undefined)
    q = q.where((eb) => eb.or([eb('t.category_code', '=', category), eb('t.category_code', 'is', null)]));
  return q.execute();
}

export async function insertTemplate(
  db: Conn,
  t: {
    wardId: string;
    departmentId: string;
    categoryCode: string | null;
    title: string;
    body: string;
    userId: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('answer_templates')
    .values({
      ward_id: t.wardId,
      department_id: t.departmentId,
      category_code: t.categoryCode,
      title: t.title,
      body: t.body,
      updated_by_user_id: t.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The version of one of the department's templates, its row locked for a change. */
export const lockTemplate = (db: Conn, departmentId: string, id: string) =>
  db
    .selectFrom('answer_templates')
    .select('version')
    .where('id', '=', id)
    .where('department_id', '=', departmentId)
    .forUpdate()
    .executeTakeFirst();

export const updateTemplate = (
  db: Conn,
  id: string,
  set: { category_code?: string | null; title?: string; body?: string; active?: boolean },
  userId: string,
) =>
  db
    .updateTable('answer_templates')
    .set((eb) => ({
      ...set,
      updated_by_user_id: userId,
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();

/** Whether a category of that code exists (active or not: a template may outlive its category's use). */
export const categoryExists = async (db: Conn, code: string) =>
  (await db.selectFrom('categories').select('id').where('code', '=', code).executeTakeFirst()) !== undefined;
