import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { slaReportXlsx } from './sla-report-xlsx.ts';

const about = async (wardId: string | null, wardName: string | null) => {
  const buffer = await slaReportXlsx({
    wardId,
    wardName,
    from: '2026-11-07',
    to: '2026-12-06',
    groupBy: 'category',
    generatedAt: '2026-12-06T10:25:34.090Z',
    rows: [],
  });
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('Thông tin');
  if (!sheet) throw new Error('the workbook has no Thông tin sheet');
  return Object.fromEntries([2, 3, 4, 5, 6].map((n) => (sheet.getRow(n).values as unknown[]).slice(1)));
};

describe('the workbook’s Thông tin sheet', () => {
  it('names the ward, the grouping in Vietnamese, dates as dd/MM/yyyy and the time in ward time', async () => {
    expect(await about('7', 'Phường Việt Hoà')).toEqual({
      'Phường/xã': 'Phường Việt Hoà',
      'Từ ngày': '07/11/2026',
      'Đến ngày': '06/12/2026',
      Theo: 'Lĩnh vực',
      'Lập lúc': '17:25 06/12/2026',
    });
  });

  it('says the whole city only without a ward, and an unknown ward by its id', async () => {
    expect((await about(null, null))['Phường/xã']).toBe('Toàn thành phố');
    expect((await about('999', null))['Phường/xã']).toBe('999');
  });
});
