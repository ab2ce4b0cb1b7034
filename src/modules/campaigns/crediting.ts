import { foldForSearch, phoneKey } from '../cases/personal-data.ts';
import type { ListEntry } from './list-sheet.ts';
import { addressKey } from './residential-address.ts';

/**
 * Counting a campaign's lists once and crediting them right. One person is one phone number across
 * every list of the campaign (and a person listed with two numbers links both), however many units
 * list them; their household is credited to the residential group they live in, their listing to
 * every unit that listed them (a unit's staff target counts the people on its own list).
 */

export const unitKinds = [
  'residential_group',
  'department',
  'police',
  'school',
  'association',
  'youth_union',
  'enterprise',
  'other',
] as const;
export type UnitKind = (typeof unitKinds)[number];

export type CreditedUnit = { id: string; kind: UnitKind; residentialGroupId?: string | null };

export type UnitList = {
  unit: CreditedUnit;
  entries: readonly Pick<ListEntry, 'row' | 'name' | 'phones' | 'address' | 'household'>[];
};

/** Where a person was listed: the unit, the spreadsheet row, the name as written. */
export type Listing = { unitId: string; row: number; name: string };

/**
 * What the coordinator resolves: `name` — one number listed under different names (a shared phone, a
 * typo, a wrong number); `group` — one person on the lists of two residential groups. Counted once
 * either way (the number is the person), credited to the first group in unit order, never merged
 * silently: every listing is given.
 */
export type Conflict = { kind: 'name' | 'group'; phone: string; listings: Listing[] };

export type Crediting = {
  people: number;
  /** Per residential group: the people living there and their distinct households. */
  groups: Map<string, { people: number; coveredHouseholds: number }>;
  /** Per unit: the distinct people on its list. */
  units: Map<string, { listed: number }>;
  coveredHouseholds: number;
  /** People whose residential group no list tells (staff listed with a workplace address only). */
  unplaced: number;
  conflicts: Conflict[];
};

/** Names compared without accents, case or spacing: "Nguyễn Văn An" is "NGUYEN VAN  AN". */
const nameKey = (name: string) => foldForSearch(name).text.trim();

const folded = (s: string) => foldForSearch(s).text.trim();

type Found = Listing & { unit: CreditedUnit; entry: UnitList['entries'][number]; order: number };

/**
 * Credits a campaign's lists. `groupOfAddress` tells the residential group of an address written on a
 * list other than a group's own (see residential-address.ts for the default); it is also tried on the
 * household column, which may name the group ("Tổ 5 - hộ ông An").
 */
export function creditLists(
  lists: readonly UnitList[],
  groupOfAddress: (address: string) => string | null,
): Crediting {
  // Union-find over phone keys: a row with two numbers makes them one person.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(k, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    // The smaller key is the root, so the person's key does not depend on the order of the lists.
    const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
    if (low !== high) parent.set(high, low);
  };
  const byPhone = new Map<string, Found[]>();
  const display = new Map<string, string>();
  const ordered = [...lists].sort((a, b) => (a.unit.id < b.unit.id ? -1 : a.unit.id > b.unit.id ? 1 : 0));
  let order = 0;
  for (const { unit, entries } of ordered)
    for (const entry of entries) {
      const keys = entry.phones.map(phoneKey);
      const found: Found = { unitId: unit.id, row: entry.row, name: entry.name, unit, entry, order: order++ };
      keys.forEach((k, i) => {
        if (!parent.has(k)) parent.set(k, k);
        if (!display.has(k)) display.set(k, entry.phones[i] as string);
        const listed = byPhone.get(k);
        if (listed) listed.push(found);
        else byPhone.set(k, [found]);
        if (i > 0) union(keys[0] as string, k);
      });
    }

  const conflicts: Conflict[] = [];
  const people = new Map<string, Found[]>();
  for (const [k, found] of byPhone) {
    const names = new Set(found.map((f) => nameKey(f.name)));
    if (names.size > 1)
      conflicts.push({ kind: 'name', phone: display.get(k) as string, listings: found.map(listing) });
    const root = find(k);
    const person = people.get(root) ?? [];
    for (const f of found) if (!person.includes(f)) person.push(f);
    people.set(root, person);
  }

  const units = new Map<string, { listed: number }>();
  for (const { unit } of lists) units.set(unit.id, { listed: 0 });
  const households = new Map<string, Set<string>>();
  const groups = new Map<string, { people: number; coveredHouseholds: number }>();
  let unplaced = 0;
  for (const [root, found] of people) {
    found.sort((a, b) => a.order - b.order);
    for (const unitId of new Set(found.map((f) => f.unitId)))
      (units.get(unitId) as { listed: number }).listed++;
    const home = residence(found, groupOfAddress);
    if (!home) {
      unplaced++;
      continue;
    }
    const own = new Set(found.filter(ownGroup).map((f) => f.unit.residentialGroupId));
    if (own.size > 1)
      conflicts.push({
        kind: 'group',
        phone: display.get(root) as string,
        listings: found.filter(ownGroup).map(listing),
      });
    const group = groups.get(home.group) ?? { people: 0, coveredHouseholds: 0 };
    group.people++;
    groups.set(home.group, group);
    const seen = households.get(home.group) ?? new Set<string>();
    seen.add(householdKey(home.from, root));
    households.set(home.group, seen);
  }
  for (const [id, seen] of households)
    (groups.get(id) as { coveredHouseholds: number }).coveredHouseholds = seen.size;
  conflicts.sort((a, b) => (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : a.kind < b.kind ? -1 : 1));
  return {
    people: people.size,
    groups,
    units,
    coveredHouseholds: [...groups.values()].reduce((n, g) => n + g.coveredHouseholds, 0),
    unplaced,
    conflicts,
  };
}

const listing = (f: Found): Listing => ({ unitId: f.unitId, row: f.row, name: f.name });

const ownGroup = (f: Found) => f.unit.kind === 'residential_group' && !!f.unit.residentialGroupId;

/**
 * The group a person lives in and the listing that says so: a group's own list first (the group
 * listed its own resident), else the first address — or household column — another list gives that
 * matches a group.
 */
function residence(
  found: Found[],
  groupOfAddress: (address: string) => string | null,
): { group: string; from: Found } | undefined {
  const own = found.find(ownGroup);
  if (own) return { group: own.unit.residentialGroupId as string, from: own };
  for (const f of found)
    for (const text of [f.entry.address, f.entry.household]) {
      const group = text ? groupOfAddress(text) : null;
      if (group) return { group, from: f };
    }
  return undefined;
}

/**
 * The household a person is credited with: the household column when the list has it (a code or
 * the head's name), else the address in one form (people at the same address are one household),
 * else the person alone (as when the address is missing or names only the group).
 */
function householdKey(f: Found, person: string): string {
  if (f.entry.household) return `h:${folded(f.entry.household)}`;
  // An address that names only the group ("Tổ 5") tells no house apart: the person alone.
  const key = f.entry.address ? addressKey(f.entry.address) : '';
  if (key.replace(/(?:^| )to \d+(?= |$)/, '').trim()) return `a:${key}`;
  return `p:${person}`;
}
