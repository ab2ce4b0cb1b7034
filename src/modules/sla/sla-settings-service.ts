import type { Db } from '../../db/database.ts';
import type { StaffActor } from '../audit/audit-actor.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { EscalationPolicy } from './escalation-policy.ts';
import { loadPolicies } from './policy-repository.ts';
import { readableWard } from './ward-access.ts';

export type SlaSettingsService = ReturnType<typeof createSlaSettingsService>;

/** Per-ward escalation ladder: stored as data, edited through the API (calendars: calendar-service.ts). */
export function createSlaSettingsService(deps: { db: Db; onChange: () => void }) {
  const { db } = deps;

  const wardFor = async (caller: UserPrincipal, wardId: string) =>
    (await readableWard(db, caller, wardId)).id;

  return {
    async getPolicy(caller: UserPrincipal, wardId: string): Promise<EscalationPolicy> {
      const id = await wardFor(caller, wardId);
      return (await loadPolicies(db, [id])).get(id) as EscalationPolicy;
    },

    /** Replaces the ward's ladder; the audit trail keeps the one it replaced (the default if none). */
    async putPolicy(caller: StaffActor, wardId: string, policy: EscalationPolicy) {
      const id = await wardFor(caller, wardId);
      await db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('escalation_policies')
          .select('ward_id')
          .where('ward_id', '=', id)
          .forUpdate()
          .execute();
        const before = (await loadPolicies(trx, [id])).get(id) ?? null;
        await trx
          .insertInto('escalation_policies')
          .values({ ward_id: id, policy: JSON.stringify(policy) })
          .onConflict((oc) =>
            oc.column('ward_id').doUpdateSet({ policy: JSON.stringify(policy), updated_at: new Date() }),
          )
          .execute();
        await recordAudit(trx, caller, {
          action: 'escalation_policy.update',
          objectType: 'escalation_policy',
          objectId: id,
          wardId: id,
          before,
          after: policy,
        });
      });
      deps.onChange();
      return policy;
    },
  };
}
