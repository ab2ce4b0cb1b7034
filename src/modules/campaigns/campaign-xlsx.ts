import ExcelJS from 'exceljs';
import { formatDeadline, vietnamDayOf, vietnamTimeZone } from '../../shared/vietnam-day.ts';
import type { UnitKind } from './crediting.ts';
import { unitKindLabels } from './unit-kinds.ts';

/**
 * The campaign's workbooks: the report for the chairman and the city (aggregates only — no name, no
 * phone number), the consolidated list in the official template (for the coordinating department
 * only), and the blank template a unit fills. The two in the template are read back by
 * `parseListFile`, so what pakn exports it can import.
 */

export type CampaignReport = {
  campaign: {
    name: string;
    documentNumber: string | null;
    documentDate: string | null;
    startsOn: string;
    endsOn: string;
    wardName: string;
    coordinatingDepartment: string;
  };
  generatedAt: string; // ISO instant
  totals: {
    people: number;
    coveredHouseholds: number;
    smartphoneHouseholds: number;
    households: number;
    rate: number;
    unitsWithList: number;
    units: number;
  };
  groups: {
    name: string;
    households: number;
    smartphoneHouseholds: number;
    coveredHouseholds: number;
    rate: number;
  }[];
  units: {
    name: string;
    kind: UnitKind;
    listed: number;
    headcount: number | null;
    rate: number | null;
    submittedAt: string | null;
  }[];
  ranking: {
    rank: number;
    name: string;
    rate: number;
    reachedOn: string | null;
    coveredHouseholds: number;
    smartphoneHouseholds: number;
  }[];
  rankingFrozenOn: string | null; // null: the live ranking, say so in the sheet
};

export type ConsolidatedList = {
  wardName: string;
  campaignName: string;
  generatedAt: string;
  rows: {
    name: string;
    phone: string;
    organisation: string | null;
    address: string | null;
    unitName: string;
  }[];
};

export const templateTitle = 'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG';

const percent = '0.0%';
const dayFormat = 'dd/mm/yyyy';
const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

/** A day (YYYY-MM-DD, or an instant read as its day in Vietnam) as a date cell's value: Excel's day is UTC midnight. */
const dayValue = (day: string) =>
  new Date(`${day.length === 10 ? day : vietnamDayOf(new Date(day))}T00:00:00Z`);

/** 2026-05-15 → 15/05/2026, for dates inside a sentence. */
const vnDate = (day: string) => day.split('-').reverse().join('/');

const madeAt = (instant: string) => formatDeadline(new Date(instant), vietnamTimeZone);

const newWorkbook = (generatedAt: string) => {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pakn';
  workbook.created = new Date(generatedAt);
  return workbook;
};

/** A title line merged across `width` columns. */
function titleRow(
  sheet: ExcelJS.Worksheet,
  row: number,
  width: number,
  text: string,
  font: Partial<ExcelJS.Font>,
) {
  const cell = sheet.getCell(row, 1);
  cell.value = text;
  cell.font = font;
  cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  sheet.mergeCells(row, 1, row, width);
}

type Column = { header: string; width: number; numFmt?: string };

/** A bordered table from `row`: bold wrapped header, then the rows; returns the next free row. */
function table(
  sheet: ExcelJS.Worksheet,
  row: number,
  columns: Column[],
  rows: ExcelJS.CellValue[][],
): number {
  columns.forEach((c, i) => {
    sheet.getColumn(i + 1).width = Math.max(sheet.getColumn(i + 1).width ?? 0, c.width);
    const cell = sheet.getCell(row, i + 1);
    cell.value = c.header;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = thin;
  });
  rows.forEach((values, r) => {
    columns.forEach((c, i) => {
      const cell = sheet.getCell(row + 1 + r, i + 1);
      cell.value = values[i] ?? null;
      cell.border = thin;
      if (c.numFmt) cell.numFmt = c.numFmt;
    });
  });
  return row + 1 + rows.length;
}

/** The report for the chairman and the city: totals, each group, each unit, the emulation ranking. */
export async function campaignReportXlsx(report: CampaignReport): Promise<Buffer> {
  const { campaign, totals } = report;
  const workbook = newWorkbook(report.generatedAt);

  const summary = workbook.addWorksheet('Tổng hợp');
  summary.getColumn(1).width = 44;
  summary.getColumn(2).width = 40;
  titleRow(summary, 1, 2, 'BÁO CÁO KẾT QUẢ CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG', { bold: true, size: 14 });
  titleRow(summary, 2, 2, campaign.wardName, { bold: true });
  const document =
    campaign.documentNumber === null
      ? null
      : `Số ${campaign.documentNumber}${campaign.documentDate ? ` ngày ${vnDate(campaign.documentDate)}` : ''}`;
  const lines: [string, ExcelJS.CellValue, string?][] = [
    ['Đợt vận động', campaign.name],
    ['Văn bản chỉ đạo', document ?? 'Không có'],
    ['Từ ngày', dayValue(campaign.startsOn), dayFormat],
    ['Đến ngày', dayValue(campaign.endsOn), dayFormat],
    ['Cơ quan tổng hợp', campaign.coordinatingDepartment],
    ['Lập lúc', madeAt(report.generatedAt)],
    ['', null],
    ['Số người đã cài đặt và đăng ký (mỗi người tính một lần)', totals.people],
    ['Tổng số hộ', totals.households],
    ['Số hộ có điện thoại thông minh', totals.smartphoneHouseholds],
    ['Số hộ đã có người cài đặt', totals.coveredHouseholds],
    ['Tỷ lệ hộ đã cài đặt trên số hộ có điện thoại thông minh', totals.rate, percent],
    ['Số đơn vị đã gửi danh sách', totals.unitsWithList],
    ['Tổng số đơn vị', totals.units],
  ];
  lines.forEach(([label, value, numFmt], i) => {
    const row = summary.getRow(4 + i);
    row.getCell(1).value = label || null;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = value;
    row.getCell(2).alignment = { horizontal: 'left' };
    if (numFmt) row.getCell(2).numFmt = numFmt;
  });
  summary.getCell(5 + lines.length, 1).value =
    'Báo cáo chỉ gồm số liệu tổng hợp, không có họ tên hay số điện thoại của người cài đặt (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15).';
  summary.getCell(5 + lines.length, 1).font = { italic: true };

  const groups = workbook.addWorksheet('Tổ dân phố', { views: [{ state: 'frozen', ySplit: 1 }] });
  const groupsEnd = table(
    groups,
    1,
    [
      { header: 'Stt', width: 6 },
      { header: 'Tổ dân phố', width: 28 },
      { header: 'Tổng số hộ', width: 12 },
      { header: 'Số hộ có điện thoại thông minh', width: 18 },
      { header: 'Số hộ đã cài đặt', width: 14 },
      { header: 'Tỷ lệ', width: 10, numFmt: percent },
    ],
    report.groups.map((g, i) => [
      i + 1,
      g.name,
      g.households,
      g.smartphoneHouseholds,
      g.coveredHouseholds,
      g.rate,
    ]),
  );
  const total = groups.getRow(groupsEnd);
  total.values = [
    null,
    'Cộng',
    totals.households,
    totals.smartphoneHouseholds,
    totals.coveredHouseholds,
    totals.rate,
  ];
  total.font = { bold: true };
  for (let c = 1; c <= 6; c++) total.getCell(c).border = thin;
  total.getCell(6).numFmt = percent;

  const units = workbook.addWorksheet('Đơn vị', { views: [{ state: 'frozen', ySplit: 1 }] });
  table(
    units,
    1,
    [
      { header: 'Stt', width: 6 },
      { header: 'Đơn vị', width: 34 },
      { header: 'Loại', width: 16 },
      { header: 'Số người trong danh sách', width: 14 },
      { header: 'Số cán bộ, nhân viên', width: 14 },
      { header: 'Tỷ lệ', width: 10, numFmt: percent },
      { header: 'Ngày gửi danh sách', width: 16, numFmt: dayFormat },
    ],
    report.units.map((u, i) => [
      i + 1,
      u.name,
      unitKindLabels[u.kind],
      u.listed,
      u.headcount,
      u.rate,
      u.submittedAt === null ? 'Chưa gửi' : dayValue(u.submittedAt),
    ]),
  );

  const ranking = workbook.addWorksheet('Xếp hạng thi đua');
  titleRow(ranking, 1, 6, 'XẾP HẠNG THI ĐUA CÁC TỔ DÂN PHỐ', { bold: true, size: 13 });
  titleRow(
    ranking,
    2,
    6,
    report.rankingFrozenOn === null
      ? `Bảng xếp hạng tạm thời, chưa chốt: tính đến ${madeAt(report.generatedAt)}, còn thay đổi khi các đơn vị gửi thêm danh sách.`
      : `Bảng xếp hạng đã chốt ngày ${vnDate(report.rankingFrozenOn)}.`,
    { italic: true },
  );
  titleRow(
    ranking,
    3,
    6,
    'Thứ tự: tỷ lệ hộ đã cài đặt trên số hộ có điện thoại thông minh (cao trước); bằng nhau thì ngày đạt tỷ lệ đó (sớm trước); rồi số hộ đã cài đặt (nhiều trước).',
    { italic: true },
  );
  ranking.getRow(3).height = 32;
  table(
    ranking,
    5,
    [
      { header: 'Hạng', width: 7 },
      { header: 'Tổ dân phố', width: 28 },
      { header: 'Tỷ lệ', width: 10, numFmt: percent },
      { header: 'Ngày đạt tỷ lệ', width: 14, numFmt: dayFormat },
      { header: 'Số hộ đã cài đặt', width: 14 },
      { header: 'Số hộ có điện thoại thông minh', width: 18 },
    ],
    report.ranking.map((g) => [
      g.rank,
      g.name,
      g.rate,
      g.reachedOn === null ? null : dayValue(g.reachedOn),
      g.coveredHouseholds,
      g.smartphoneHouseholds,
    ]),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The official template's columns, and their widths. */
const templateColumns: Column[] = [
  { header: 'Stt', width: 6 },
  { header: 'Họ và tên', width: 28 },
  { header: 'Số điện thoại', width: 16, numFmt: '@' },
  { header: 'Cơ quan/đơn vị/doanh nghiệp/tổ chức', width: 32 },
  { header: 'Địa chỉ hiện tại', width: 36 },
];

/** A phone number as a text cell: Excel keeps the leading zero and never shows 9.12E+08. */
function phoneCell(cell: ExcelJS.Cell) {
  cell.numFmt = '@';
  if (typeof cell.value === 'number') cell.value = String(cell.value);
}

/** Every person of the campaign once, in the official template, with the unit whose list gave them. */
export async function consolidatedListXlsx(list: ConsolidatedList): Promise<Buffer> {
  const workbook = newWorkbook(list.generatedAt);
  const sheet = workbook.addWorksheet('Danh sách', {
    pageSetup: { orientation: 'landscape', fitToWidth: 1 },
  });
  const columns = [...templateColumns, { header: 'Đơn vị gửi danh sách', width: 28 }];
  titleRow(sheet, 1, columns.length, templateTitle, { bold: true, size: 14 });
  titleRow(sheet, 2, columns.length, `${list.wardName} — ${list.campaignName}`, { bold: true });
  titleRow(sheet, 3, columns.length, `(Lập lúc ${madeAt(list.generatedAt)})`, { italic: true });
  const end = table(
    sheet,
    5,
    columns,
    list.rows.map((r, i) => [i + 1, r.name, r.phone, r.organisation, r.address, r.unitName]),
  );
  for (let row = 6; row < end; row++) phoneCell(sheet.getCell(row, 3));
  sheet.views = [{ state: 'frozen', ySplit: 5 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Rows the blank template is ruled for; a unit inserts more as it needs. */
const blankRows = 50;

/** What the person filling the template must know, in the order they meet it. */
function guidance(kind: UnitKind | undefined): string[] {
  return [
    'Mỗi dòng ghi một người đã cài đặt ứng dụng Smart Hải Phòng và đã đăng ký tài khoản; người chưa đăng ký thì không ghi.',
    'Số điện thoại: ghi đúng số di động người đó đã dùng để đăng ký tài khoản (nhận mã OTP), đủ 10 chữ số, bắt đầu bằng số 0. Cột này đã để kiểu văn bản để giữ số 0 ở đầu.',
    'Địa chỉ hiện tại: người dân ghi địa chỉ nơi ở (số nhà, ngõ, tổ dân phố); cán bộ, công chức, viên chức, người lao động ghi nơi làm việc.',
    ...(kind === undefined || kind === 'school'
      ? ['Trường học chỉ lập danh sách cán bộ, giáo viên, nhân viên và phụ huynh — không ghi học sinh.']
      : []),
    'Cột «Mã hộ/Chủ hộ» không bắt buộc: nếu có, ghi mã hộ hoặc họ tên chủ hộ để những người cùng một hộ được tính là một hộ.',
    'Số điện thoại chỉ dùng để thống kê kết quả cài đặt, không bao giờ dùng để gửi tin nhắn hay vào việc khác, và được bảo vệ theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15).',
    'Không thêm, bớt hay đổi tên các cột; nộp tệp dạng .xlsx hoặc .csv.',
  ];
}

/**
 * The blank official template for a unit (or any unit): the title, the unit, the guidance, the
 * header with its numbering row, and ruled rows whose phone cells are text. Its rows carry no Stt,
 * so unfilled rows read as blank.
 */
export async function listTemplateXlsx(unit?: { name: string; kind: UnitKind }): Promise<Buffer> {
  const workbook = newWorkbook(new Date().toISOString());
  const sheet = workbook.addWorksheet('Danh sách', {
    pageSetup: { orientation: 'landscape', fitToWidth: 1 },
  });
  const columns = [...templateColumns, { header: 'Mã hộ/Chủ hộ (không bắt buộc)', width: 20 }];
  const width = columns.length;
  titleRow(sheet, 1, width, templateTitle, { bold: true, size: 14 });
  titleRow(
    sheet,
    2,
    width,
    unit
      ? `Đơn vị: ${unit.name} (${unitKindLabels[unit.kind]})`
      : 'Đơn vị: ........................................',
    { bold: true },
  );
  let row = 4;
  const notes = guidance(unit?.kind);
  sheet.getCell(row, 1).value = 'Hướng dẫn:';
  sheet.getCell(row, 1).font = { bold: true, italic: true };
  for (const [i, note] of notes.entries()) {
    row++;
    // Merged across the table so it wraps; a merged line repeats in every column, which the reader
    // never takes for the header (one text names at most one column).
    titleRow(sheet, row, width, `${i + 1}. ${note}`, { italic: true });
    sheet.getCell(row, 1).alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
    sheet.getRow(row).height = 30;
  }
  const headerRow = row + 2;
  table(sheet, headerRow, columns, [
    columns.map((_, i) => `(${i + 1})`),
    ...Array.from({ length: blankRows }, () => []),
  ]);
  sheet.getRow(headerRow + 1).alignment = { horizontal: 'center' };
  sheet.getRow(headerRow + 1).font = { italic: true };
  for (let r = headerRow + 2; r < headerRow + 2 + blankRows; r++) phoneCell(sheet.getCell(r, 3));
  sheet.getColumn(3).numFmt = '@';
  sheet.views = [{ state: 'frozen', ySplit: headerRow + 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
