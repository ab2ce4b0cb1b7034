import { vi } from './vi.ts';

const vietnam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `dd/MM/yyyy HH:mm`, Vietnam time (console.md). */
export function when(iso: string | Date | null): string {
  if (iso === null) return '';
  const parts = Object.fromEntries(
    vietnam.formatToParts(typeof iso === 'string' ? new Date(iso) : iso).map((p) => [p.type, p.value]),
  );
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** Time left to a deadline as people read it: "còn 3 giờ 20 phút làm việc", "quá hạn 45 phút". */
export function timeLeft(seconds: number, working: boolean, overdue = seconds < 0): string {
  const abs = Math.abs(Math.round(seconds / 60));
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return overdue ? vi.time.over(h, m, working) : vi.time.left(h, m, working);
}
