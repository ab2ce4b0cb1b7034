import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { type CreditedUnit, creditLists, type UnitList } from './crediting.ts';
import { parseListFile } from './list-file.ts';
import type { ParsedList } from './list-sheet.ts';
import { groupMatcher } from './residential-address.ts';

/**
 * The messy lists of test/fixtures/campaigns/, read and credited end to end. Every number here was
 * counted by hand from the rows in that folder's README.md before the code ran; the two must agree.
 */

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/campaigns/${name}`, import.meta.url));
const groupFile = 'to-dan-pho-5-messy.xlsx';
const schoolFile = 'truong-thcs-messy.csv';
const read = (name: string) => parseListFile(fixture(name), name, { maxRows: 5000 });

const groupOf = groupMatcher([
  { id: 'g5', name: 'Tổ dân phố số 5' },
  { id: 'g6', name: 'Tổ dân phố số 6' },
]);
const tdp5: CreditedUnit = { id: 'u1-tdp5', kind: 'residential_group', residentialGroupId: 'g5' };
const school: CreditedUnit = { id: 'u2-thcs', kind: 'school' };
const listOf = (unit: CreditedUnit, parsed: ParsedList): UnitList => ({ unit, entries: parsed.entries });

const byRow = (items: { row: number; message: string }[]) => items.map((p) => [p.row, p.message]);

describe('the fixtures are as messy as the README says', () => {
  it('the group’s .xlsx has merged title and header cells and formulas', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(fixture(groupFile) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('TDP5');
    expect(sheet?.getCell('G3').isMerged).toBe(true);
    expect(sheet?.getCell('A6').master.address).toBe('A5');
    expect(sheet?.getCell('A9').formula).toBe('A8+1');
    expect(sheet?.getCell('C8').value).toBe(912345678);
  });

  it('the school’s CSV is windows-1258, not UTF-8', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(fixture(schoolFile))).toThrow();
  });
});

describe(groupFile, () => {
  it('finds the two-row header under the merged titles and reads 27 rows, 23 accepted, 2 duplicates', async () => {
    const { sheet, parsed } = await read(groupFile);
    expect(sheet).toBe('TDP5');
    expect(parsed.headerRow).toBe(6);
    expect(parsed.rows).toBe(27);
    expect(parsed.entries).toHaveLength(23);
    expect(parsed.duplicates).toBe(2);
  });

  it('reports the problems by row, and nothing for the merged signature block', async () => {
    const { parsed } = await read(groupFile);
    expect(byRow(parsed.problems)).toEqual([
      [14, 'Số 02253842123 là số máy bàn, không dùng để đăng ký ứng dụng; hãy ghi số di động.'],
      [14, 'Không có số điện thoại di động hợp lệ.'],
      [16, 'Số điện thoại trùng với dòng 8.'],
      [17, 'Thiếu số điện thoại.'],
      [18, 'Thiếu họ và tên.'],
      [24, 'Số điện thoại trùng với dòng 23.'],
      [31, '«09160002222» không phải số điện thoại di động Việt Nam.'],
      [31, 'Không có số điện thoại di động hợp lệ.'],
    ]);
    expect(byRow(parsed.notes)).toEqual([
      [13, 'Số 11 chữ số cũ 01627123456 đã được đổi thành 0327123456.'],
      [28, 'Số 11 chữ số cũ 01234567890 đã được đổi thành 0834567890.'],
    ]);
  });

  it('reads every way the numbers were written', async () => {
    const { parsed } = await read(groupFile);
    const phones = new Map(parsed.entries.map((e) => [e.row, e.phones]));
    expect(
      Object.fromEntries([8, 9, 10, 11, 12, 13, 19, 20, 21, 28, 29, 32].map((r) => [r, phones.get(r)])),
    ).toEqual({
      8: ['0912345678'],
      9: ['0979383369'],
      10: ['0904111222'],
      11: ['0983222333'],
      12: ['0912345680', '0987654321'],
      13: ['0327123456'],
      19: ['0912000111'],
      20: ['0868777888'],
      21: ['0389111222'],
      28: ['0834567890'],
      29: ['0912345681', '0345678901'],
      32: ['0388246810'],
    });
    const bình = parsed.entries.find((e) => e.row === 9);
    expect([bình?.name, bình?.household]).toEqual(['Trần Thị Bình', 'H05-001']);
  });

  it('credits 21 people and 15 households to Tổ 5, with one shared phone as a conflict', async () => {
    const { parsed } = await read(groupFile);
    const result = creditLists([listOf(tdp5, parsed)], groupOf);
    expect(result.people).toBe(21);
    expect(result.groups).toEqual(new Map([['g5', { people: 21, coveredHouseholds: 15 }]]));
    expect(result.units).toEqual(new Map([['u1-tdp5', { listed: 21 }]]));
    expect(result.unplaced).toBe(0);
    expect(result.conflicts).toEqual([
      {
        kind: 'name',
        phone: '0914222333',
        listings: [
          { unitId: 'u1-tdp5', row: 23, name: 'Phan Văn Phúc' },
          { unitId: 'u1-tdp5', row: 24, name: 'Phan Thị Quyên' },
        ],
      },
    ]);
  });
});

describe(schoolFile, () => {
  it('decodes windows-1258, splits on `;` and reads 14 rows, 13 accepted, 1 duplicate', async () => {
    const { sheet, parsed } = await read(schoolFile);
    expect(sheet).toBe('truong-thcs-messy');
    expect(parsed.headerRow).toBe(5);
    expect(parsed.rows).toBe(14);
    expect(parsed.entries).toHaveLength(13);
    expect(parsed.duplicates).toBe(1);
    expect(parsed.entries[0]).toEqual({
      row: 6,
      name: 'Nguyễn Thị Thu Hà',
      phones: ['0912888001'],
      organisation: 'Trường THCS Việt Hoà - Giáo viên',
      address: 'Trường THCS Việt Hoà, số 1 đường Lê Lợi',
      household: null,
    });
  });

  it('reports the problems by row; quoted fields keep their `;`, quotes and line break', async () => {
    const { parsed } = await read(schoolFile);
    expect(byRow(parsed.problems)).toEqual([
      [16, 'Số điện thoại trùng với dòng 11.'],
      [18, 'Không có số điện thoại di động hợp lệ.'],
    ]);
    expect(byRow(parsed.notes)).toEqual([[17, 'Số 11 chữ số cũ 01663579246 đã được đổi thành 0363579246.']]);
    const at = (row: number) => parsed.entries.find((e) => e.row === row);
    expect(at(9)?.organisation).toBe('Phụ huynh học sinh lớp 7A; Hội cha mẹ học sinh');
    expect(at(16)?.organisation).toBe('Phụ huynh học sinh lớp 6C (em "Bống")');
    expect(at(19)?.phones).toEqual(['0912777888', '0387999000']);
    expect(at(7)?.phones).toEqual(['0913888002']);
  });

  it('alone, credits 12 people: 6 households to Tổ 5, 3 to Tổ 6, 3 placed nowhere', async () => {
    const { parsed } = await read(schoolFile);
    const result = creditLists([listOf(school, parsed)], groupOf);
    expect(result.people).toBe(12);
    expect(result.groups).toEqual(
      new Map([
        ['g5', { people: 6, coveredHouseholds: 6 }],
        ['g6', { people: 3, coveredHouseholds: 3 }],
      ]),
    );
    expect(result.unplaced).toBe(3);
    expect(result.conflicts).toEqual([]);
  });
});

describe('both lists together', () => {
  const both = async (units: [CreditedUnit, CreditedUnit]) => {
    const [group, schoolList] = await Promise.all([read(groupFile), read(schoolFile)]);
    return creditLists([listOf(units[0], group.parsed), listOf(units[1], schoolList.parsed)], groupOf);
  };

  it('counts 31 people once, 18 households in Tổ 5, and lists the two name conflicts', async () => {
    const result = await both([tdp5, school]);
    expect(result.people).toBe(31);
    expect(result.units).toEqual(
      new Map([
        ['u1-tdp5', { listed: 21 }],
        ['u2-thcs', { listed: 12 }],
      ]),
    );
    expect(result.groups).toEqual(
      new Map([
        ['g5', { people: 25, coveredHouseholds: 18 }],
        ['g6', { people: 3, coveredHouseholds: 3 }],
      ]),
    );
    expect(result.coveredHouseholds).toBe(21);
    expect(result.unplaced).toBe(3);
    expect(result.conflicts).toEqual([
      {
        kind: 'name',
        phone: '0904111222',
        listings: [
          { unitId: 'u1-tdp5', row: 10, name: 'Lê Văn Cường' },
          { unitId: 'u2-thcs', row: 10, name: 'Lê Thị Cúc' },
        ],
      },
      {
        kind: 'name',
        phone: '0914222333',
        listings: [
          { unitId: 'u1-tdp5', row: 23, name: 'Phan Văn Phúc' },
          { unitId: 'u1-tdp5', row: 24, name: 'Phan Thị Quyên' },
        ],
      },
    ]);
  });

  it('gives the same counts when the school’s unit comes first', async () => {
    const result = await both([
      { ...tdp5, id: 'u2-tdp5' },
      { ...school, id: 'u1-thcs' },
    ]);
    expect([result.people, result.coveredHouseholds, result.unplaced, result.conflicts.length]).toEqual([
      31, 21, 3, 2,
    ]);
    expect(result.groups.get('g5')).toEqual({ people: 25, coveredHouseholds: 18 });
  });
});
