import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  type CampaignReport,
  campaignReportXlsx,
  consolidatedListXlsx,
  listTemplateXlsx,
  templateTitle,
} from './campaign-xlsx.ts';
import { parseListFile } from './list-file.ts';

const load = async (buffer: Buffer) => {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(buffer as unknown as ArrayBuffer);
  return book;
};

const sheetOf = (book: ExcelJS.Workbook, name: string) => {
  const sheet = book.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  return sheet;
};

/** A row's values from column A, as exceljs reads them back. */
const values = (sheet: ExcelJS.Worksheet, row: number) => (sheet.getRow(row).values as unknown[]).slice(1);

/** Every text in a workbook, to look for what must not be there. */
const allText = (book: ExcelJS.Workbook) => {
  const out: string[] = [];
  for (const s of book.worksheets) s.eachRow((r) => r.eachCell((c) => out.push(String(c.text))));
  return out.join('\n');
};

const day = (d: string) => new Date(`${d}T00:00:00Z`);

const report = (over: Partial<CampaignReport> = {}): CampaignReport => ({
  campaign: {
    name: 'Cài đặt Smart Hải Phòng 2026',
    documentNumber: '125/KH-UBND',
    documentDate: '2026-05-12',
    startsOn: '2026-05-15',
    endsOn: '2026-06-30',
    wardName: 'Phường Việt Hoà',
    coordinatingDepartment: 'Phòng Văn hoá – Xã hội',
  },
  generatedAt: '2026-07-02T03:15:00.000Z',
  totals: {
    people: 1234,
    coveredHouseholds: 640,
    smartphoneHouseholds: 800,
    households: 900,
    rate: 0.8,
    unitsWithList: 3,
    units: 4,
  },
  groups: [
    {
      name: 'Tổ dân phố số 5',
      households: 500,
      smartphoneHouseholds: 450,
      coveredHouseholds: 400,
      rate: 400 / 450,
    },
    {
      name: 'Tổ dân phố số 6',
      households: 400,
      smartphoneHouseholds: 350,
      coveredHouseholds: 240,
      rate: 240 / 350,
    },
  ],
  units: [
    {
      name: 'Tổ dân phố số 5',
      kind: 'residential_group',
      listed: 520,
      headcount: null,
      rate: null,
      submittedAt: '2026-06-01T02:00:00Z',
    },
    {
      name: 'Công an phường',
      kind: 'police',
      listed: 30,
      headcount: 32,
      rate: 30 / 32,
      submittedAt: '2026-06-10T16:30:00Z',
    },
    {
      name: 'Trường THCS Việt Hoà',
      kind: 'school',
      listed: 80,
      headcount: 60,
      rate: 1,
      submittedAt: '2026-06-03',
    },
    {
      name: 'Đoàn thanh niên phường',
      kind: 'youth_union',
      listed: 0,
      headcount: 25,
      rate: 0,
      submittedAt: null,
    },
  ],
  ranking: [
    {
      rank: 1,
      name: 'Tổ dân phố số 5',
      rate: 400 / 450,
      reachedOn: '2026-06-20',
      coveredHouseholds: 400,
      smartphoneHouseholds: 450,
    },
    {
      rank: 2,
      name: 'Tổ dân phố số 6',
      rate: 240 / 350,
      reachedOn: null,
      coveredHouseholds: 240,
      smartphoneHouseholds: 350,
    },
  ],
  rankingFrozenOn: '2026-07-01',
  ...over,
});

describe('campaignReportXlsx', () => {
  it('has the four sheets, in order', async () => {
    const book = await load(await campaignReportXlsx(report()));
    expect(book.worksheets.map((s) => s.name)).toEqual([
      'Tổng hợp',
      'Tổ dân phố',
      'Đơn vị',
      'Xếp hạng thi đua',
    ]);
  });

  it('sums up: the campaign, its document, its period as dates, the totals, the rate as a percentage', async () => {
    const sheet = sheetOf(await load(await campaignReportXlsx(report())), 'Tổng hợp');
    const lines = new Map<string, ExcelJS.Cell>();
    sheet.eachRow((r) => {
      const label = r.getCell(1).value;
      if (typeof label === 'string') lines.set(label, r.getCell(2));
    });
    expect(sheet.getCell('A1').value).toBe('BÁO CÁO KẾT QUẢ CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG');
    expect(sheet.getCell('A2').value).toBe('Phường Việt Hoà');
    expect(lines.get('Văn bản chỉ đạo')?.value).toBe('Số 125/KH-UBND ngày 12/05/2026');
    expect(lines.get('Từ ngày')?.value).toEqual(day('2026-05-15'));
    expect(lines.get('Đến ngày')?.value).toEqual(day('2026-06-30'));
    expect(lines.get('Đến ngày')?.numFmt).toBe('dd/mm/yyyy');
    expect(lines.get('Cơ quan tổng hợp')?.value).toBe('Phòng Văn hoá – Xã hội');
    expect(lines.get('Lập lúc')?.value).toBe('10:15 02/07/2026');
    expect(lines.get('Số người đã cài đặt và đăng ký (mỗi người tính một lần)')?.value).toBe(1234);
    expect(lines.get('Số hộ đã có người cài đặt')?.value).toBe(640);
    expect(lines.get('Số hộ có điện thoại thông minh')?.value).toBe(800);
    expect(lines.get('Tổng số hộ')?.value).toBe(900);
    const rate = lines.get('Tỷ lệ hộ đã cài đặt trên số hộ có điện thoại thông minh');
    expect([rate?.value, rate?.numFmt]).toEqual([0.8, '0.0%']);
    expect(lines.get('Số đơn vị đã gửi danh sách')?.value).toBe(3);
    expect(lines.get('Tổng số đơn vị')?.value).toBe(4);
  });

  it('says when the campaign has no document', async () => {
    const r = report();
    const sheet = sheetOf(
      await load(
        await campaignReportXlsx({
          ...r,
          campaign: { ...r.campaign, documentNumber: null, documentDate: null },
        }),
      ),
      'Tổng hợp',
    );
    expect(values(sheet, 5)).toEqual(['Văn bản chỉ đạo', 'Không có']);
  });

  it('lists each group with the ward’s total, rates as percentages', async () => {
    const sheet = sheetOf(await load(await campaignReportXlsx(report())), 'Tổ dân phố');
    expect(values(sheet, 1)).toEqual([
      'Stt',
      'Tổ dân phố',
      'Tổng số hộ',
      'Số hộ có điện thoại thông minh',
      'Số hộ đã cài đặt',
      'Tỷ lệ',
    ]);
    expect(values(sheet, 2)).toEqual([1, 'Tổ dân phố số 5', 500, 450, 400, 400 / 450]);
    expect(values(sheet, 4)).toEqual([undefined, 'Cộng', 900, 800, 640, 0.8]);
    expect(sheet.getCell('F2').numFmt).toBe('0.0%');
    expect(sheet.getCell('F4').numFmt).toBe('0.0%');
  });

  it('lists each unit with its kind in Vietnamese, its rate, the day it sent its list or that it has not', async () => {
    const sheet = sheetOf(await load(await campaignReportXlsx(report())), 'Đơn vị');
    expect(values(sheet, 2)).toEqual([
      1,
      'Tổ dân phố số 5',
      'Tổ dân phố',
      520,
      undefined,
      undefined,
      day('2026-06-01'),
    ]);
    // 16:30 UTC on 10 June is 23:30 in Vietnam: still the 10th; a day given as a day is kept.
    expect(values(sheet, 3)).toEqual([2, 'Công an phường', 'Công an', 30, 32, 30 / 32, day('2026-06-10')]);
    expect(values(sheet, 4)).toEqual([3, 'Trường THCS Việt Hoà', 'Trường học', 80, 60, 1, day('2026-06-03')]);
    expect(values(sheet, 5)).toEqual([4, 'Đoàn thanh niên phường', 'Đoàn thanh niên', 0, 25, 0, 'Chưa gửi']);
    expect(sheet.getCell('F3').numFmt).toBe('0.0%');
    expect(sheet.getCell('G3').numFmt).toBe('dd/mm/yyyy');
  });

  it('gives the ranking with its tie-breaks, frozen on a day or said to be live', async () => {
    const frozen = sheetOf(await load(await campaignReportXlsx(report())), 'Xếp hạng thi đua');
    expect(frozen.getCell('A2').value).toBe('Bảng xếp hạng đã chốt ngày 01/07/2026.');
    expect(String(frozen.getCell('A3').value)).toContain('ngày đạt tỷ lệ đó (sớm trước)');
    expect(values(frozen, 5)).toEqual([
      'Hạng',
      'Tổ dân phố',
      'Tỷ lệ',
      'Ngày đạt tỷ lệ',
      'Số hộ đã cài đặt',
      'Số hộ có điện thoại thông minh',
    ]);
    expect(values(frozen, 6)).toEqual([1, 'Tổ dân phố số 5', 400 / 450, day('2026-06-20'), 400, 450]);
    expect(values(frozen, 7)).toEqual([2, 'Tổ dân phố số 6', 240 / 350, undefined, 240, 350]);
    expect(frozen.getCell('C6').numFmt).toBe('0.0%');
    expect(frozen.getCell('D6').numFmt).toBe('dd/mm/yyyy');

    const live = sheetOf(
      await load(await campaignReportXlsx(report({ rankingFrozenOn: null }))),
      'Xếp hạng thi đua',
    );
    expect(live.getCell('A2').value).toBe(
      'Bảng xếp hạng tạm thời, chưa chốt: tính đến 10:15 02/07/2026, còn thay đổi khi các đơn vị gửi thêm danh sách.',
    );
  });
});

const people = [
  {
    name: 'Nguyễn Văn An',
    phone: '0912345678',
    organisation: 'Tổ dân phố số 5',
    address: 'Số 3 ngõ 12, Tổ 5',
    unitName: 'Tổ dân phố số 5',
  },
  {
    name: 'Trần Thị Bình',
    phone: '0387654321',
    organisation: 'Trường THCS Việt Hoà',
    address: null,
    unitName: 'Trường THCS Việt Hoà',
  },
  {
    name: 'Lê Văn Cường',
    phone: '0979383369',
    organisation: null,
    address: 'Số 8, TDP 06',
    unitName: 'Công an phường',
  },
];

describe('consolidatedListXlsx', () => {
  const list = {
    wardName: 'Phường Việt Hoà',
    campaignName: 'Cài đặt Smart Hải Phòng 2026',
    generatedAt: '2026-07-02T03:15:00Z',
    rows: people,
  };

  it('is the official template: the title merged across, the ward, the header, phones as text, borders', async () => {
    const sheet = sheetOf(await load(await consolidatedListXlsx(list)), 'Danh sách');
    expect(sheet.getCell('A1').value).toBe(templateTitle);
    expect(sheet.getCell('F1').isMerged).toBe(true);
    expect(sheet.getCell('F1').master.address).toBe('A1');
    expect(sheet.getCell('A2').value).toBe('Phường Việt Hoà — Cài đặt Smart Hải Phòng 2026');
    expect(values(sheet, 5)).toEqual([
      'Stt',
      'Họ và tên',
      'Số điện thoại',
      'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
      'Địa chỉ hiện tại',
      'Đơn vị gửi danh sách',
    ]);
    expect(values(sheet, 6)).toEqual([
      1,
      'Nguyễn Văn An',
      '0912345678',
      'Tổ dân phố số 5',
      'Số 3 ngõ 12, Tổ 5',
      'Tổ dân phố số 5',
    ]);
    for (const row of [6, 7, 8]) {
      expect(sheet.getCell(row, 3).type).toBe(ExcelJS.ValueType.String);
      expect(sheet.getCell(row, 3).numFmt).toBe('@');
      expect(sheet.getCell(row, 2).border?.bottom?.style).toBe('thin');
    }
  });

  it('reads back through parseListFile as the same people', async () => {
    const { parsed } = await parseListFile(await consolidatedListXlsx(list), 'tong-hop.xlsx', {
      maxRows: 100,
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.duplicates).toBe(0);
    expect(
      parsed.entries.map((e) => ({
        name: e.name,
        phones: e.phones,
        organisation: e.organisation,
        address: e.address,
      })),
    ).toEqual(
      people.map((p) => ({
        name: p.name,
        phones: [p.phone],
        organisation: p.organisation,
        address: p.address,
      })),
    );
  });
});

describe('listTemplateXlsx', () => {
  const guidanceOf = async (unit?: Parameters<typeof listTemplateXlsx>[0]) =>
    allText(await load(await listTemplateXlsx(unit)));

  it('names the unit and guides the submitter: who to list, which number, which address, the law', async () => {
    const text = await guidanceOf({ name: 'Trường THCS Việt Hoà', kind: 'school' });
    expect(text).toContain(templateTitle);
    expect(text).toContain('Đơn vị: Trường THCS Việt Hoà (Trường học)');
    expect(text).toContain(
      'Mỗi dòng ghi một người đã cài đặt ứng dụng Smart Hải Phòng và đã đăng ký tài khoản',
    );
    expect(text).toContain('số di động người đó đã dùng để đăng ký tài khoản');
    expect(text).toContain('người dân ghi địa chỉ nơi ở');
    expect(text).toContain('ghi nơi làm việc');
    expect(text).toContain(
      'Trường học chỉ lập danh sách cán bộ, giáo viên, nhân viên và phụ huynh — không ghi học sinh',
    );
    expect(text).toContain('«Mã hộ/Chủ hộ» không bắt buộc');
    expect(text).toContain('không bao giờ dùng để gửi tin nhắn');
    expect(text).toContain('91/2025/QH15');
  });

  it('says the school rule to schools and in the blank template, not to the police', async () => {
    expect(await guidanceOf()).toContain('không ghi học sinh');
    expect(await guidanceOf({ name: 'Công an phường', kind: 'police' })).not.toContain('học sinh');
  });

  it('has the header, the numbering row, and a phone column formatted as text', async () => {
    const sheet = sheetOf(await load(await listTemplateXlsx()), 'Danh sách');
    let header = 0;
    sheet.eachRow((r, n) => {
      if (r.getCell(2).value === 'Họ và tên') header = n;
    });
    expect(values(sheet, header)).toEqual([
      'Stt',
      'Họ và tên',
      'Số điện thoại',
      'Cơ quan/đơn vị/doanh nghiệp/tổ chức',
      'Địa chỉ hiện tại',
      'Mã hộ/Chủ hộ (không bắt buộc)',
    ]);
    expect(values(sheet, header + 1)).toEqual(['(1)', '(2)', '(3)', '(4)', '(5)', '(6)']);
    expect(sheet.getCell(header + 2, 3).numFmt).toBe('@');
    expect(sheet.getCell(header + 51, 3).numFmt).toBe('@');
  });

  it('read blank, has no one; filled in, reads back with the household column', async () => {
    const blank = await listTemplateXlsx({ name: 'Tổ dân phố số 5', kind: 'residential_group' });
    const empty = await parseListFile(blank, 'mau.xlsx', { maxRows: 100 });
    expect([empty.parsed.rows, empty.parsed.problems]).toEqual([0, []]);

    const book = await load(blank);
    const sheet = sheetOf(book, 'Danh sách');
    const first = empty.parsed.headerRow + 2;
    sheet.getRow(first).values = [
      1,
      'Phạm Thị Dung',
      '0912000002',
      'Tổ dân phố số 5',
      'Số 4 ngõ 1, Tổ 5',
      'Hộ ông Phạm Văn Hải',
    ];
    sheet.getRow(first + 1).values = [
      2,
      'Phạm Văn Hải',
      '0387000003',
      'Tổ dân phố số 5',
      'Số 4 ngõ 1, Tổ 5',
      'Hộ ông Phạm Văn Hải',
    ];
    const filled = Buffer.from(await book.xlsx.writeBuffer());
    const { parsed } = await parseListFile(filled, 'to5.xlsx', { maxRows: 100 });
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      {
        row: first,
        name: 'Phạm Thị Dung',
        phones: ['0912000002'],
        organisation: 'Tổ dân phố số 5',
        address: 'Số 4 ngõ 1, Tổ 5',
        household: 'Hộ ông Phạm Văn Hải',
      },
      {
        row: first + 1,
        name: 'Phạm Văn Hải',
        phones: ['0387000003'],
        organisation: 'Tổ dân phố số 5',
        address: 'Số 4 ngõ 1, Tổ 5',
        household: 'Hộ ông Phạm Văn Hải',
      },
    ]);
  });
});
