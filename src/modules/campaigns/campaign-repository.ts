import type { Selectable } from 'kysely';
import type { Conn } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';
import { forbidden, notFound } from '../../shared/errors.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { type CampaignRole, campaignRole } from './campaign-access.ts';

export type CampaignRow = Selectable<Database['campaigns']> & { coordinating_department: string };

export const missingCampaign = () => notFound('Không tìm thấy chiến dịch.');
export const missingUnit = () => notFound('Không tìm thấy đơn vị trong chiến dịch.');

export function findCampaign(db: Conn, id: string): Promise<CampaignRow | undefined> {
  return db
    .selectFrom('campaigns as c')
    .innerJoin('departments as d', 'd.id', 'c.coordinating_department_id')
    .selectAll('c')
    .select('d.name as coordinating_department')
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** The unit a submitter is bound to, if it is one of this campaign's. */
async function boundUnitIn(db: Conn, userId: string, campaignId: string): Promise<string | null> {
  const row = await db
    .selectFrom('campaign_unit_submitters as s')
    .innerJoin('campaign_units as u', 'u.id', 's.unit_id')
    .select('u.id')
    .where('s.user_id', '=', userId)
    .where('u.campaign_id', '=', campaignId)
    .executeTakeFirst();
  return row?.id ?? null;
}

export type CampaignAccess = { campaign: CampaignRow; role: Exclude<CampaignRole, { kind: 'none' }> };

/** The campaign and the caller's part in it; a campaign outside the caller's reach is 404. */
export async function accessCampaign(db: Conn, caller: UserPrincipal, id: string): Promise<CampaignAccess> {
  const campaign = await findCampaign(db, id);
  if (!campaign) throw missingCampaign();
  const bound = caller.role === 'unit_submitter' ? await boundUnitIn(db, caller.userId, id) : null;
  const role = campaignRole(
    caller,
    { wardId: campaign.ward_id, coordinatingDepartmentId: campaign.coordinating_department_id },
    bound,
  );
  if (role.kind === 'none') throw missingCampaign();
  return { campaign, role };
}

export function requireCoordinator(access: CampaignAccess): void {
  if (access.role.kind !== 'coordinator')
    throw forbidden('Chỉ phòng điều phối chiến dịch (mặc định Phòng Văn hoá – Xã hội) được làm việc này.');
}

/**
 * A unit of the campaign the caller may reach: the coordinator and the ward's readers reach every
 * unit, a submitter only their own (another unit is 404 to them).
 */
export async function accessUnit(db: Conn, access: CampaignAccess, unitId: string) {
  if (access.role.kind === 'submitter' && access.role.unitId !== unitId) throw missingUnit();
  const unit = await db
    .selectFrom('campaign_units')
    .selectAll()
    .where('id', '=', unitId)
    .where('campaign_id', '=', access.campaign.id)
    .executeTakeFirst();
  if (!unit) throw missingUnit();
  return unit;
}
