import type { Db } from '../../db/database.ts';
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

    async putPolicy(caller: UserPrincipal, wardId: string, policy: EscalationPolicy) {
      const id = await wardFor(caller, wardId);
      await db
        .insertInto('escalation_policies')
        .values({ ward_id: id, policy: JSON.stringify(policy) })
        .onConflict((oc) =>
          oc.column('ward_id').doUpdateSet({ policy: JSON.stringify(policy), updated_at: new Date() }),
        )
        .execute();
      deps.onChange();
      return policy;
    },
  };
}
