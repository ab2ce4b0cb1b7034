import type { Conn } from '../../db/database.ts';
import type { AuditActor } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/audit-log.ts';

/**
 * One entry of a campaign's audit trail, in the change's transaction: its creation and changes, its
 * units and submitters, each list received, and every reveal of phone numbers and export of the list
 * (Law 91/2025). What is recorded are ids and counts, never a name or a number.
 */
export const auditCampaign = (
  trx: Conn,
  actor: AuditActor,
  campaign: { id: string; ward_id: string },
  verb: string,
  after: Record<string, unknown>,
) =>
  recordAudit(trx as Parameters<typeof recordAudit>[0], actor, {
    action: `campaign.${verb}`,
    objectType: 'campaign',
    objectId: campaign.id,
    wardId: campaign.ward_id,
    before: null,
    after,
  });
