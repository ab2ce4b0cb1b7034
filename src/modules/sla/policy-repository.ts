import type { Conn } from '../../db/database.ts';
import { defaultEscalationPolicy, type EscalationPolicy } from './escalation-policy.ts';

/** The escalation ladders of the given wards (the default where a ward has not set its own). */
export async function loadPolicies(db: Conn, wardIds: string[]): Promise<Map<string, EscalationPolicy>> {
  const rows = wardIds.length
    ? await db
        .selectFrom('escalation_policies')
        .select(['ward_id', 'policy'])
        .where('ward_id', 'in', wardIds)
        .execute()
    : [];
  const stored = new Map(rows.map((r) => [r.ward_id, r.policy as EscalationPolicy]));
  return new Map(wardIds.map((id) => [id, stored.get(id) ?? defaultEscalationPolicy()]));
}
