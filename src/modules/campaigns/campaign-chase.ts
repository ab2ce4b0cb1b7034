import type { CampaignChase } from '../../db/types.ts';

/**
 * When a campaign's units are chased, and what they are told. Pure: the service (chase-service.ts)
 * claims each (campaign, day) once and sends.
 */

/** Vietnam's ISO weekday (1 = Monday) and hour of an instant. */
export function vietnamWeekdayHour(at: Date): { weekday: number; hour: number } {
  const local = new Date(at.getTime() + 7 * 3_600_000);
  const day = local.getUTCDay();
  return { weekday: day === 0 ? 7 : day, hour: local.getUTCHours() };
}

/** Whether a chase is due on this Vietnam day at this instant: a chasing weekday, the hour reached, within the campaign. */
export function chaseDue(
  campaign: { startsOn: string; endsOn: string; chase: CampaignChase | null },
  today: string,
  now: Date,
): boolean {
  if (!campaign.chase) return false;
  if (today < campaign.startsOn || today > campaign.endsOn) return false;
  const { weekday, hour } = vietnamWeekdayHour(now);
  return campaign.chase.weekdays.includes(weekday) && hour >= campaign.chase.hour;
}

const percent = (r: number) => `${Math.floor(r * 1000) / 10}%`.replace('.', ',');

/** The reminder a unit's submitter reads: no list yet, or below target, with the end date. */
export function chaseMessage(
  campaign: { name: string; endsOn: string },
  unit: { name: string; listed: number; target: number | null; rate: number | null; submitted: boolean },
): { title: string; body: string } {
  const ends = campaign.endsOn.split('-').reverse().join('/');
  if (!unit.submitted)
    return {
      title: `${unit.name}: chưa gửi danh sách cài đặt Smart Hải Phòng`,
      body: `Chiến dịch «${campaign.name}» kết thúc ngày ${ends}. ${unit.name} chưa gửi danh sách theo mẫu "DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG". Vui lòng tải danh sách lên trong mục Chiến dịch.`,
    };
  const figures =
    unit.target && unit.rate !== null
      ? `${unit.listed} trên chỉ tiêu ${unit.target} (${percent(unit.rate)})`
      : `${unit.listed} người`;
  return {
    title: `${unit.name}: chưa đạt chỉ tiêu cài đặt Smart Hải Phòng`,
    body: `Chiến dịch «${campaign.name}» kết thúc ngày ${ends}. Danh sách của ${unit.name} hiện có ${figures}, chưa đạt chỉ tiêu. Vui lòng bổ sung và tải lại danh sách.`,
  };
}

/** The coordinator's summary of a chase. */
export function chaseSummary(
  campaign: { name: string },
  counts: { missing: number; below: number; withoutSubmitter: number },
): { title: string; body: string } {
  const parts = [`${counts.missing} đơn vị chưa gửi danh sách`, `${counts.below} đơn vị chưa đạt chỉ tiêu`];
  const unreachable =
    counts.withoutSubmitter > 0
      ? ` ${counts.withoutSubmitter} đơn vị chưa có người gửi danh sách nên không nhận được nhắc nhở; hãy liên hệ trực tiếp.`
      : '';
  return {
    title: `Nhắc các đơn vị: ${campaign.name}`,
    body: `Đã nhắc các đơn vị của chiến dịch «${campaign.name}»: ${parts.join(', ')}.${unreachable}`,
  };
}
