import { describe, expect, it } from 'vitest';
import { type CreditedUnit, creditLists, type UnitList } from './crediting.ts';
import { groupMatcher } from './residential-address.ts';

const groupOf = groupMatcher([
  { id: 'g5', name: 'Tổ 5' },
  { id: 'g6', name: 'Tổ 6' },
]);
const tdp5: CreditedUnit = { id: 'u-tdp5', kind: 'residential_group', residentialGroupId: 'g5' };
const tdp6: CreditedUnit = { id: 'u-tdp6', kind: 'residential_group', residentialGroupId: 'g6' };
const school: CreditedUnit = { id: 'u-school', kind: 'school' };
const police: CreditedUnit = { id: 'u-police', kind: 'police' };

let row = 6;
const entry = (
  name: string,
  phones: string[],
  address: string | null = null,
  household: string | null = null,
) => ({
  row: row++,
  name,
  phones,
  address,
  household,
});
const list = (unit: CreditedUnit, ...entries: ReturnType<typeof entry>[]): UnitList => ({ unit, entries });

describe('creditLists', () => {
  it('counts a person listed by a school and by their group once, credits the group and both units', () => {
    const result = creditLists(
      [
        list(tdp5, entry('Nguyễn Văn An', ['0912345678'], 'Số 3 ngõ 12, tổ 5')),
        list(
          school,
          entry('NGUYEN VAN AN', ['0912345678'], 'Trường THCS Việt Hoà'),
          entry('Trần Thị Bình', ['0987654321'], 'Số 8, TDP 06'),
        ),
      ],
      groupOf,
    );
    expect(result.people).toBe(2);
    expect(result.units).toEqual(
      new Map([
        ['u-tdp5', { listed: 1 }],
        ['u-school', { listed: 2 }],
      ]),
    );
    // Bình is on the school's list only; her address puts her household in Tổ 6.
    expect(result.groups).toEqual(
      new Map([
        ['g5', { people: 1, coveredHouseholds: 1 }],
        ['g6', { people: 1, coveredHouseholds: 1 }],
      ]),
    );
    expect(result.coveredHouseholds).toBe(2);
    expect(result.unplaced).toBe(0);
    expect(result.conflicts).toEqual([]);
  });

  it('links a person listed with two numbers to a listing of either', () => {
    const result = creditLists(
      [
        list(tdp5, entry('Lê Văn Cường', ['0912000001', '0987000001'], '1 ngõ 2 tổ 5')),
        list(police, entry('Lê Văn Cường', ['0987000001'], 'Công an phường')),
      ],
      groupOf,
    );
    expect(result.people).toBe(1);
    expect(result.units.get('u-police')).toEqual({ listed: 1 });
  });

  it('lists the same number under different names as a conflict, with every listing, and counts it once', () => {
    const result = creditLists(
      [
        list(tdp5, entry('Phạm Thị Dung', ['0912000002'], '4 ngõ 1 tổ 5')),
        list(school, entry('Phạm Văn Đức', ['0912000002'], 'Trường Tiểu học')),
      ],
      groupOf,
    );
    expect(result.people).toBe(1);
    expect(result.conflicts).toEqual([
      {
        kind: 'name',
        phone: '0912000002',
        listings: [
          { unitId: 'u-school', row: expect.any(Number), name: 'Phạm Văn Đức' },
          { unitId: 'u-tdp5', row: expect.any(Number), name: 'Phạm Thị Dung' },
        ],
      },
    ]);
    expect(result.groups.get('g5')).toEqual({ people: 1, coveredHouseholds: 1 });
  });

  it('lists a person on two groups’ lists as a conflict and credits one group only', () => {
    const result = creditLists(
      [
        list(tdp6, entry('Vũ Thị Hạnh', ['0912000003'], '2 tổ 6')),
        list(tdp5, entry('Vũ Thị Hạnh', ['0912000003'], '9 tổ 5')),
      ],
      groupOf,
    );
    expect(result.conflicts.map((c) => c.kind)).toEqual(['group']);
    expect(result.conflicts[0]?.listings.map((l) => l.unitId)).toEqual(['u-tdp5', 'u-tdp6']);
    expect([...result.groups.keys()]).toEqual(['g5']);
    expect(result.coveredHouseholds).toBe(1);
  });

  it('without a household column, counts people at the same address as one household', () => {
    const result = creditLists(
      [
        list(
          tdp5,
          entry('Hoàng Văn Giang', ['0912000004'], 'Số 12 ngõ 5, Tổ 5, phường Việt Hoà'),
          entry('Hoàng Thị Hoa', ['0912000005'], '12 Ngõ 5 - TDP 05'),
          entry('Đỗ Văn Khánh', ['0912000006'], '14 ngõ 5 tổ 5'),
          // Addresses that tell no house apart: each person their own household.
          entry('Mai Văn Long', ['0912000007'], 'Tổ 5'),
          entry('Mai Thị Minh', ['0912000008'], null),
        ),
        // On the school's list, at the Giang family's address: the same household.
        list(school, entry('Hoàng Văn Nam', ['0912000009'], 'số nhà 12, ngõ 5, tổ dân phố số 5')),
      ],
      groupOf,
    );
    expect(result.people).toBe(6);
    expect(result.groups.get('g5')).toEqual({ people: 6, coveredHouseholds: 4 });
  });

  it('uses the household column when the list has one', () => {
    const result = creditLists(
      [
        list(
          tdp5,
          entry('Ngô Văn Phúc', ['0912000010'], '1 tổ 5', 'H05-001'),
          entry('Ngô Thị Quỳnh', ['0912000011'], '1A tổ 5', 'h05-001'),
          entry('Ngô Văn Sơn', ['0912000012'], '1 tổ 5', 'H05-002'),
        ),
      ],
      groupOf,
    );
    expect(result.groups.get('g5')).toEqual({ people: 3, coveredHouseholds: 2 });
  });

  it('credits staff to their unit but no group when no list tells where they live', () => {
    const result = creditLists(
      [
        list(police, entry('Trịnh Văn Tú', ['0912000013'], 'Công an phường Việt Hoà')),
        list(school, entry('Bùi Thị Uyên', ['0912000014'], null, 'Tổ 6 - hộ bà Uyên')),
      ],
      groupOf,
    );
    expect(result.people).toBe(2);
    expect(result.unplaced).toBe(1);
    expect(result.groups).toEqual(new Map([['g6', { people: 1, coveredHouseholds: 1 }]]));
    expect(result.units).toEqual(
      new Map([
        ['u-police', { listed: 1 }],
        ['u-school', { listed: 1 }],
      ]),
    );
  });

  it('lists a unit whose list is empty with nobody listed', () => {
    expect(creditLists([list(tdp5)], groupOf).units.get('u-tdp5')).toEqual({ listed: 0 });
  });
});
