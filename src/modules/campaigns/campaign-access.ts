import type { UserPrincipal } from '../auth/principal.ts';

/**
 * Who does what in a campaign (issue 18), decided from the caller and the campaign alone:
 *
 * - `coordinator` — a user of the campaign's coordinating department (Phòng Văn hoá – Xã hội by
 *   default), and an admin: manage the campaign, upload for any unit, see phone numbers on request
 *   (every reveal audited), export the consolidated list;
 * - `reader` — the ward's chairman and the ward's other staff: aggregates (progress, ranking,
 *   report); the chairman also reads rows, masked;
 * - `submitter` — a unit's submitter (role `unit_submitter`) bound to one of the campaign's units:
 *   their unit, its list (masked) and its progress;
 * - `none` — anyone else, another ward's staff included: the campaign is not there (404).
 */
export type CampaignRole =
  | { kind: 'coordinator' }
  | { kind: 'reader'; chairman: boolean }
  | { kind: 'submitter'; unitId: string }
  | { kind: 'none' };

export type CampaignScope = { wardId: string; coordinatingDepartmentId: string };

export function campaignRole(
  caller: UserPrincipal,
  campaign: CampaignScope,
  /** The caller's unit in this campaign, when they are a unit's submitter bound to one. */
  boundUnitId: string | null,
): CampaignRole {
  if (caller.role === 'admin') return { kind: 'coordinator' };
  if (caller.wardId !== campaign.wardId) return { kind: 'none' };
  if (caller.role === 'unit_submitter')
    return boundUnitId ? { kind: 'submitter', unitId: boundUnitId } : { kind: 'none' };
  if (caller.departmentId !== null && caller.departmentId === campaign.coordinatingDepartmentId)
    return { kind: 'coordinator' };
  return { kind: 'reader', chairman: caller.role === 'chairman' };
}

/** A phone number as everyone but the coordinator sees it: its last three digits. */
export const maskPhone = (phone: string) => `…${phone.replace(/\D/g, '').slice(-3)}`;
