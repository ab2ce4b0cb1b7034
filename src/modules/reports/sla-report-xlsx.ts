import ExcelJS from 'exceljs';
import { formatDeadline, vietnamTimeZone } from '../../shared/vietnam-day.ts';
import type { SlaReportRow } from './sla-report.ts';

export const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The columns people read, in Vietnamese; the CSV keeps the API's field names. */
const columns: { key: keyof SlaReportRow; header: string; width: number; numFmt?: string }[] = [
  { key: 'key', header: 'Mã', width: 16 },
  { key: 'name', header: 'Tên', width: 42 },
  { key: 'received', header: 'Tiếp nhận', width: 11 },
  { key: 'answered', header: 'Đã trả lời', width: 11 },
  { key: 'answeredOnTime', header: 'Trả lời đúng hạn', width: 16 },
  { key: 'overdueOpen', header: 'Quá hạn chưa trả lời', width: 19 },
  { key: 'onTimeRate', header: 'Tỷ lệ đúng hạn', width: 15, numFmt: '0.0%' },
  {
    key: 'medianAnswerHours',
    header: 'Thời gian trả lời (giờ làm việc, trung vị)',
    width: 22,
    numFmt: '0.0',
  },
  { key: 'averageRating', header: 'Đánh giá trung bình', width: 18, numFmt: '0.00' },
];

const groupByNames: Record<string, string> = {
  department: 'Phòng, ban chuyên môn',
  category: 'Lĩnh vực',
  channel: 'Kênh tiếp nhận',
};

/** 2026-12-06 → 06/12/2026, as Vietnamese documents write dates. */
const vnDate = (day: string) => day.split('-').reverse().join('/');

/**
 * The report as an Excel workbook: sheet "Báo cáo" with one row per department, category or channel
 * (text cells are values, never formulas), and sheet "Thông tin" with the period and when it was made.
 */
export async function slaReportXlsx(report: {
  wardId: string | null;
  wardName: string | null;
  from: string;
  to: string;
  groupBy: string;
  generatedAt: string;
  rows: SlaReportRow[];
}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pakn';
  workbook.created = new Date(report.generatedAt);
  const sheet = workbook.addWorksheet('Báo cáo', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    key: c.key,
    header: c.header,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of report.rows) sheet.addRow(row);
  const about = workbook.addWorksheet('Thông tin');
  about.addRows([
    ['Báo cáo', 'Tình hình giải quyết phản ánh, kiến nghị đúng hạn'],
    ['Phường/xã', report.wardId === null ? 'Toàn thành phố' : (report.wardName ?? report.wardId)],
    ['Từ ngày', vnDate(report.from)],
    ['Đến ngày', vnDate(report.to)],
    ['Theo', groupByNames[report.groupBy] ?? report.groupBy],
    ['Lập lúc', formatDeadline(new Date(report.generatedAt), vietnamTimeZone)],
  ]);
  about.getColumn(1).width = 14;
  about.getColumn(2).width = 50;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
