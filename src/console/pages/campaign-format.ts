/**
 * Numbers and dates as the campaign pages write them (console.md: `Intl.NumberFormat('vi-VN')`,
 * dates dd/MM/yyyy). Pure, shared by the pages and the charts.
 */

const counts = new Intl.NumberFormat('vi-VN');
const percents = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });

/** 1234 → "1.234". */
export const count = (n: number) => counts.format(n);

/**
 * A share 0–1 as people read it: "60%", "66,7%". Never rounded up to 100% (a group at 99,96% has not
 * reached its target, and the page must not say 100% beside "chưa đạt").
 */
export const percent = (share: number) => percents.format(Math.floor(share * 1000) / 1000);

/** "2026-05-15" → "15/05/2026" (a calendar day: no time zone involved). */
export const day = (iso: string) => iso.slice(0, 10).split('-').reverse().join('/');

/** "2026-05-15" → "15/05" (the charts' axis). */
export const shortDay = (iso: string) => day(iso).slice(0, 5);
