/**
 * bench/campaigns' ward: residential groups, submitting units and the people their lists name, drawn
 * from a seeded PRNG so a seed gives the same ward; and those lists written as the wards send them
 * (the official template under title rows; phone numbers as numbers without the zero, with dots,
 * with +84).
 */
import ExcelJS from 'exceljs';
import type { UnitKind } from '../../src/modules/campaigns/crediting.ts';
import { personName } from '../seed/city.ts';
import { createRng, type Rng } from '../seed/random.ts';

export type Group = { number: number; name: string; households: number; smartphoneHouseholds: number };
export type Unit = { key: string; kind: UnitKind; name: string; headcount?: number; group?: number };
export type Person = { name: string; phone: string; organisation: string; address: string };
export type WardPlan = {
  groups: Group[];
  units: Unit[];
  /** Each unit's list, by unit key. */
  lists: Map<string, Person[]>;
  rows: number;
  /** Distinct phone numbers over every list. */
  people: number;
};

/** Households of the ward, split evenly over its groups. */
export type WardSize = { households: number; groups: number; rows: number; bigList: number };

const streets = [
  'Lạch Tray',
  'Văn Cao',
  'Đà Nẵng',
  'Lê Lợi',
  'Cát Dài',
  'Hàng Kênh',
  'Chợ Con',
  'Miếu Hai Xã',
];
const jobs = ['Hưu trí', 'Kinh doanh', 'Công nhân', 'Nội trợ', 'Lao động tự do', 'Giáo viên', null];

/** A household's address: the same house is written the same way on every list. */
const addressOf = (group: number, house: number) =>
  `Số ${house} ngõ ${(house % 40) + 1} ${streets[house % streets.length]}, Tổ ${group}`;

/** A mobile number by index, in the national form (09 + eight digits). */
const phoneOf = (i: number) => `09${String(i).padStart(8, '0')}`;

/**
 * The ward: `groups` groups sharing `households`, their smartphone households 75–92 %; 60 other units
 * (12 departments, the police, 8 schools, 5 associations, the youth union, 33 enterprises); lists
 * totalling about `rows` rows, one of them (the women's union, `bigList` rows) the list the run
 * uploads again. Groups list 1–4 people per covered household at one address, up to their smartphone
 * households; the other units list their staff or members, a third of whom are already on a group's
 * list (the same person, counted once), the rest living in a smartphone household of a group.
 */
export function planWard(size: WardSize, seed = 2026): WardPlan {
  const rng = createRng(seed);
  const groups: Group[] = [];
  const perGroup = Math.floor(size.households / size.groups);
  for (let n = 1; n <= size.groups; n++) {
    const households = n === size.groups ? size.households - perGroup * (size.groups - 1) : perGroup;
    groups.push({
      number: n,
      name: `Tổ dân phố số ${n}`,
      households,
      smartphoneHouseholds: Math.round(households * rng.between(0.75, 0.92)),
    });
  }
  const units: Unit[] = groups.map((g) => ({
    key: `g${g.number}`,
    kind: 'residential_group',
    name: g.name,
    group: g.number,
  }));
  const others: (Unit & { rows: number })[] = [];
  // Other units' lists at 100,000 rows in all, scaled for a smaller or larger ward.
  const scale = size.rows / 100_000;
  const add = (kind: UnitKind, name: string, headcount: number | null, rows: number) =>
    others.push({
      key: `u${others.length + 1}`,
      kind,
      name,
      ...(headcount ? { headcount } : {}),
      rows: Math.max(1, Math.round(rows * scale)),
    });
  for (let i = 1; i <= 12; i++) add('department', `Phòng ban ${i} UBND phường`, 14, 14);
  add('police', 'Công an phường', 45, 44);
  for (let i = 1; i <= 8; i++) add('school', `Trường ${i <= 4 ? 'Mầm non' : 'Tiểu học'} số ${i}`, 60, 1_500);
  add('association', 'Hội Phụ nữ phường', null, size.bigList / scale);
  add('association', 'Hội Cựu chiến binh', null, 600);
  add('association', 'Hội Người cao tuổi', null, 900);
  add('association', 'Hội Nông dân', null, 300);
  add('association', 'Hội Chữ thập đỏ', null, 200);
  add('youth_union', 'Đoàn Thanh niên phường', 120, 1_200);
  for (let i = 1; i <= 33; i++) add('enterprise', `Công ty TNHH ${streets[i % streets.length]} ${i}`, 80, 60);
  units.push(...others.map(({ rows: _rows, ...u }) => u));

  const otherRows = others.reduce((a, u) => a + u.rows, 0);
  const groupRows = Math.max(0, size.rows - otherRows);
  const lists = new Map<string, Person[]>();
  let next = 1;
  const residents: Person[][] = [];

  // The groups' own lists: covered households (up to the smartphone households) of 1–3 people each.
  for (const g of groups) {
    const want = Math.round(groupRows / size.groups);
    const list: Person[] = [];
    let house = 1;
    while (list.length < want && house <= g.smartphoneHouseholds) {
      const address = addressOf(g.number, house);
      const members = Math.min(rng.int(1, 4), want - list.length);
      for (let m = 0; m < members; m++)
        list.push({
          name: personName(rng),
          phone: phoneOf(next++),
          organisation: rng.pick(jobs) ?? '',
          address,
        });
      house++;
    }
    // A repeated row now and then, as lists have.
    for (let i = 0; i < list.length / 200; i++) list.push(rng.pick(list));
    lists.set(`g${g.number}`, list);
    residents.push(list);
  }

  // The other units: a third already on a group's list (the same person), the rest new, living in a group.
  // The schools' lists (staff and parents) take up what the groups' lists, capped by their smartphone
  // households, left short of `rows`.
  const schools = others.filter((u) => u.kind === 'school');
  const extra = (u: { rows: number }) => Math.ceil(u.rows / 400);
  const listed = residents.reduce((a, l) => a + l.length, 0);
  const rest = others.reduce((a, u) => a + (u.kind === 'school' ? 0 : u.rows + extra(u)), 0);
  const perSchool = Math.max(1, Math.floor(((size.rows - listed - rest) / schools.length) * (400 / 401)));
  for (const u of schools) u.rows = perSchool;

  for (const u of others) {
    const list: Person[] = [];
    for (let i = 0; i < u.rows; i++) {
      const home = rng.pick(residents);
      if (home.length && rng.chance(1 / 3)) {
        const p = rng.pick(home);
        list.push({ ...p, organisation: u.name });
      } else {
        const g = rng.pick(groups);
        list.push({
          name: personName(rng),
          phone: phoneOf(next++),
          organisation: u.name,
          address: addressOf(g.number, rng.int(1, g.smartphoneHouseholds)),
        });
      }
    }
    // One in 400: a number listed under another name (a shared phone), for the coordinator's conflicts.
    for (let i = 0; i < u.rows / 400; i++) list.push({ ...rng.pick(list), name: personName(rng) });
    lists.set(u.key, list);
  }
  let rows = 0;
  for (const l of lists.values()) rows += l.length;
  return { groups, units, lists, rows, people: next - 1 };
}

/** A phone number as lists write them: without the zero (a number cell), with dots, spaces or +84. */
function messyPhone(rng: Rng, phone: string): string | number {
  const x = rng.next();
  if (x < 0.3) return Number(phone);
  if (x < 0.45) return `${phone.slice(0, 4)}.${phone.slice(4, 7)}.${phone.slice(7)}`;
  if (x < 0.55) return `+84 ${phone.slice(1, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`;
  return phone;
}

/** A list in the official template as an `.xlsx`: title rows, a merged title, the header, the rows. */
export async function listXlsx(unitName: string, people: readonly Person[], seed: number): Promise<Buffer> {
  const rng = createRng(seed);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(['UBND PHƯỜNG LẠCH TRAY']);
  ws.addRow(['DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG']);
  ws.mergeCells('A2:E2');
  ws.addRow([`Đơn vị: ${unitName}`]);
  ws.addRow([]);
  ws.addRow(['Stt', 'Họ và tên', 'Số điện thoại', 'Cơ quan/đơn vị/doanh nghiệp/tổ chức', 'Địa chỉ hiện tại']);
  people.forEach((p, i) => {
    ws.addRow([i + 1, p.name, messyPhone(rng, p.phone), p.organisation, p.address]);
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `people` with `share` of them replaced by new people (new numbers from `firstNew` on). */
export function revise(people: readonly Person[], share: number, firstNew: number, seed: number): Person[] {
  const rng = createRng(seed);
  let next = firstNew;
  return people.map((p) => (rng.chance(share) ? { ...p, name: personName(rng), phone: phoneOf(next++) } : p));
}
