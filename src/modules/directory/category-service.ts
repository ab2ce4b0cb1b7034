import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { CategoriesTable } from '../../db/types.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { isUniqueViolation } from '../../shared/pg-errors.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { categoryBody, categoryPatchBody } from './directory-schemas.ts';
import { activeAction, changeObject, type ListArgs, named, type Versioned } from './lifecycle.ts';
import { defaultPublication } from './publication.ts';

const categoryColumns = [
  'id',
  'code',
  'name',
  'default_department_code',
  'sla_normal_duration',
  'sla_normal_clock',
  'sla_urgent_duration',
  'sla_urgent_clock',
  'description',
  'keywords',
  'group_name',
  'publication',
  'active',
  'version',
] as const;
type CategoryRow = Pick<Selectable<CategoriesTable>, (typeof categoryColumns)[number]>;
const categoryView = (c: CategoryRow) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  defaultDepartmentCode: c.default_department_code,
  sla: {
    normal: { duration: c.sla_normal_duration, clock: c.sla_normal_clock },
    urgent: { duration: c.sla_urgent_duration, clock: c.sla_urgent_clock },
  },
  description: c.description,
  keywords: c.keywords,
  group: c.group_name,
  publication: c.publication,
  active: c.active,
  version: c.version,
});

/** The columns a category patch sets (sla per urgency, each only when named). */
const patchColumns = (input: z.output<typeof categoryPatchBody>) =>
  named({
    name: input.name,
    default_department_code: input.defaultDepartmentCode,
    sla_normal_duration: input.sla?.normal?.duration,
    sla_normal_clock: input.sla?.normal?.clock,
    sla_urgent_duration: input.sla?.urgent?.duration,
    sla_urgent_clock: input.sla?.urgent?.clock,
    description: input.description,
    keywords: input.keywords,
    group_name: input.group,
    publication: input.publication,
  });

/**
 * Categories, shared by every ward. A changed SLA applies to deadlines set from then on: running cases
 * keep theirs. A deactivated category refuses new cases (intake answers 409); its cases keep it.
 */
export function createCategoryService(deps: { db: Db; onChange: () => void }) {
  const { db } = deps;

  const categories: Versioned<CategoryRow, ReturnType<typeof categoryView>> = {
    table: 'categories',
    columns: categoryColumns,
    noun: 'Lĩnh vực',
    objectType: 'category',
    view: categoryView,
    wardIdOf: () => null,
  };
  async function change(
    actor: AuditActor,
    action: string,
    id: string,
    ifMatch: string | undefined,
    set: Record<string, unknown>,
  ) {
    const view = await changeObject(db, categories, { actor, action, id, ifMatch, set });
    deps.onChange();
    return view;
  }

  return {
    async createCategory(actor: AuditActor, input: z.output<typeof categoryBody>) {
      try {
        const view = await db.transaction().execute(async (trx) => {
          const c = await trx
            .insertInto('categories')
            .values({
              code: input.code,
              name: input.name,
              default_department_code: input.defaultDepartmentCode ?? null,
              sla_normal_duration: input.sla.normal.duration,
              sla_normal_clock: input.sla.normal.clock,
              sla_urgent_duration: input.sla.urgent.duration,
              sla_urgent_clock: input.sla.urgent.clock,
              description: input.description ?? null,
              keywords: input.keywords,
              group_name: input.group ?? null,
              publication: input.publication ?? defaultPublication(input.code, input.name),
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const after = categoryView(c);
          await recordAudit(trx, actor, {
            action: 'category.create',
            objectType: 'category',
            objectId: c.id,
            wardId: null,
            before: null,
            after,
          });
          return after;
        });
        deps.onChange();
        return view;
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`Mã lĩnh vực ${input.code} đã tồn tại.`, 'duplicate');
        throw err;
      }
    },

    async listCategories({ limit, cursor, active }: ListArgs) {
      const after = decodeCursor(cursor);
      let q = db
        .selectFrom('categories')
        .selectAll()
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      if (active !== undefined) q = q.where('active', '=', active);
      return page(await q.execute(), limit, categoryView);
    },

    async getCategory(id: string) {
      const c = await db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
      if (!c) throw notFound('Không tìm thấy lĩnh vực.');
      return categoryView(c);
    },

    updateCategory: (
      actor: AuditActor,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof categoryPatchBody>,
    ) => change(actor, 'update', id, ifMatch, patchColumns(input)),

    setCategoryActive: (actor: AuditActor, id: string, ifMatch: string | undefined, active: boolean) =>
      change(actor, activeAction(active), id, ifMatch, { active }),
  };
}
