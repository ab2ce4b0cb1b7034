import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { decodeCursor, page } from '../../shared/http.ts';
import { isUniqueViolation } from '../../shared/pg-errors.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { wardBody, wardPatchBody } from './directory-schemas.ts';
import { activeAction, changeObject, type ListArgs, named, type Versioned, wardScope } from './lifecycle.ts';

const wardColumns = ['id', 'code', 'name', 'officer_answers_need_approval', 'active', 'version'] as const;
type WardRow = Pick<Selectable<Database['wards']>, (typeof wardColumns)[number]>;
const wardView = (w: WardRow) => ({
  id: w.id,
  code: w.code,
  name: w.name,
  officerAnswersNeedApproval: w.officer_answers_need_approval,
  active: w.active,
  version: w.version,
});

/** Wards: created by admins, renamed, deactivated (no new case) and reactivated; never deleted. */
export function createWardService(deps: { db: Db; onChange: () => void }) {
  const { db } = deps;

  const wards: Versioned<WardRow, ReturnType<typeof wardView>> = {
    table: 'wards',
    columns: wardColumns,
    noun: 'Phường/xã',
    objectType: 'ward',
    view: wardView,
    wardIdOf: (w) => w.id,
  };
  async function change(
    actor: AuditActor,
    action: string,
    id: string,
    ifMatch: string | undefined,
    set: Record<string, unknown>,
  ) {
    const view = await changeObject(db, wards, { actor, action, id, ifMatch, set });
    deps.onChange();
    return view;
  }

  return {
    async createWard(actor: AuditActor, input: z.output<typeof wardBody>) {
      try {
        return await db.transaction().execute(async (trx) => {
          const w = await trx
            .insertInto('wards')
            .values({ code: input.code, name: input.name })
            .returning(wardColumns)
            .executeTakeFirstOrThrow();
          const after = wardView(w);
          await recordAudit(trx, actor, {
            action: 'ward.create',
            objectType: 'ward',
            objectId: w.id,
            wardId: w.id,
            before: null,
            after,
          });
          return after;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(`Mã phường/xã ${input.code} đã tồn tại.`, 'duplicate');
        throw err;
      }
    },

    async listWards(caller: UserPrincipal, { limit, cursor, active }: ListArgs) {
      const after = decodeCursor(cursor);
      const scope = wardScope(caller);
      let q = db
        .selectFrom('wards')
        .select(wardColumns)
        .orderBy('id')
        .limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      if (scope !== null) q = q.where('id', '=', scope ?? '0');
      if (active !== undefined) q = q.where('active', '=', active);
      return page(await q.execute(), limit, wardView);
    },

    /** A ward: admins any, other staff their own (404 for another). */
    async getWard(caller: UserPrincipal, id: string) {
      const scope = wardScope(caller);
      if (scope !== null && scope !== id) throw notFound('Không tìm thấy phường/xã.');
      const w = await db.selectFrom('wards').select(wardColumns).where('id', '=', id).executeTakeFirst();
      if (!w) throw notFound('Không tìm thấy phường/xã.');
      return wardView(w);
    },

    updateWard: (
      actor: AuditActor,
      id: string,
      ifMatch: string | undefined,
      input: z.output<typeof wardPatchBody>,
    ) =>
      change(
        actor,
        'update',
        id,
        ifMatch,
        named({ name: input.name, officer_answers_need_approval: input.officerAnswersNeedApproval }),
      ),

    /** A deactivated ward takes no new case (intake answers 409); its cases go on as they are. */
    setWardActive: (actor: AuditActor, id: string, ifMatch: string | undefined, active: boolean) =>
      change(actor, activeAction(active), id, ifMatch, { active }),
  };
}
