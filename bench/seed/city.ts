/**
 * The city the scale seed builds: Hải Phòng's 114 commune-level units since 1 July 2025 (45 phường,
 * 67 xã, 2 đặc khu; names as plausible as we could make them), their streets, residential groups and
 * landmarks, the five standard departments of every unit, and the people who staff them. Everything is
 * drawn from a seeded PRNG, so a seed always gives the same city.
 */
import { departments as standardDepartments } from '../../src/seed/viet-hoa.ts';
import { createRng, type Rng } from './random.ts';

export type WardKind = 'phường' | 'xã' | 'đặc khu';

export type CityWard = {
  code: string;
  name: string;
  kind: WardKind;
  /** Relative case volume (a busy inner-city ward against an island). */
  weight: number;
  lat: number;
  lng: number;
  streets: string[];
  /** Tổ dân phố / thôn / khu dân cư. */
  groups: string[];
  landmarks: string[];
};

const phuong = [
  'Hồng Bàng',
  'Hồng An',
  'Ngô Quyền',
  'Gia Viên',
  'Lê Chân',
  'An Biên',
  'Hải An',
  'Đông Hải',
  'Kiến An',
  'Phù Liễn',
  'Nam Đồ Sơn',
  'Đồ Sơn',
  'Hưng Đạo',
  'Dương Kinh',
  'An Dương',
  'An Hải',
  'An Phong',
  'Thủy Nguyên',
  'Thiên Hương',
  'Hoà Bình',
  'Nam Triệu',
  'Bạch Đằng',
  'Lưu Kiếm',
  'Lê Ích Mộc',
  'Hải Dương',
  'Lê Thanh Nghị',
  'Việt Hoà',
  'Thành Đông',
  'Nam Đồng',
  'Tân Hưng',
  'Thạch Khôi',
  'Tứ Minh',
  'Ái Quốc',
  'Chu Văn An',
  'Chí Linh',
  'Trần Hưng Đạo',
  'Nguyễn Trãi',
  'Trần Nhân Tông',
  'Lê Đại Hành',
  'Kinh Môn',
  'Nguyễn Đại Năng',
  'Trần Liễu',
  'Bắc An Phụ',
  'Phạm Sư Mạnh',
  'Nhị Chiểu',
];
/** The old inner city: the busiest wards. */
const innerCity = new Set([
  'Hồng Bàng',
  'Ngô Quyền',
  'Gia Viên',
  'Lê Chân',
  'An Biên',
  'Hải An',
  'Kiến An',
  'Hải Dương',
  'Lê Thanh Nghị',
  'Việt Hoà',
  'Thành Đông',
]);
const xa = [
  'An Lão',
  'An Khánh',
  'An Quang',
  'An Trường',
  'Kiến Thụy',
  'Kiến Minh',
  'Kiến Hải',
  'Kiến Hưng',
  'Nghi Dương',
  'Quyết Thắng',
  'Tiên Lãng',
  'Tân Minh',
  'Tiên Minh',
  'Chấn Hưng',
  'Hùng Thắng',
  'Vĩnh Bảo',
  'Nguyễn Bỉnh Khiêm',
  'Vĩnh Am',
  'Vĩnh Hải',
  'Vĩnh Hoà',
  'Vĩnh Thịnh',
  'Vĩnh Thuận',
  'Việt Khê',
  'Nam Sách',
  'Thái Tân',
  'Hợp Tiến',
  'Trần Phú',
  'An Phú',
  'Thanh Hà',
  'Hà Tây',
  'Hà Bắc',
  'Hà Nam',
  'Hà Đông',
  'Cẩm Giang',
  'Tuệ Tĩnh',
  'Mao Điền',
  'Kẻ Sặt',
  'Bình Giang',
  'Đường An',
  'Thượng Hồng',
  'Gia Lộc',
  'Yết Kiêu',
  'Gia Phúc',
  'Trường Tân',
  'Tứ Kỳ',
  'Tân Kỳ',
  'Đại Sơn',
  'Chí Minh',
  'Lạc Phượng',
  'Nguyên Giáp',
  'Ninh Giang',
  'Vĩnh Lại',
  'Khúc Thừa Dụ',
  'Tân An',
  'Hồng Châu',
  'Thanh Miện',
  'Bắc Thanh Miện',
  'Hải Hưng',
  'Nam Thanh Miện',
  'Phú Thái',
  'Lai Khê',
  'An Thành',
  'Kim Thành',
  'Nam An Phụ',
  'Tân Tiến',
  'Lạc Long',
  'Hưng Thạnh',
];
const dacKhu = ['Cát Hải', 'Bạch Long Vĩ'];

const cityStreets = [
  'Lê Lợi',
  'Lạch Tray',
  'Điện Biên Phủ',
  'Trần Phú',
  'Lê Thánh Tông',
  'Đà Nẵng',
  'Tô Hiệu',
  'Trần Nguyên Hãn',
  'Hai Bà Trưng',
  'Cầu Đất',
  'Lương Khánh Thiện',
  'Nguyễn Đức Cảnh',
  'Hoàng Văn Thụ',
  'Minh Khai',
  'Quang Trung',
  'Tam Bạc',
  'Bạch Đằng',
  'Hạ Lý',
  'Nguyễn Văn Linh',
  'Lê Hồng Phong',
  'Văn Cao',
  'Thiên Lôi',
  'Trần Văn Lan',
  'Phạm Văn Đồng',
  'Ngô Gia Tự',
  'Trường Chinh',
  'Chùa Vẽ',
  'Đình Đông',
  'Hồ Sen',
  'Dư Hàng',
  'Chợ Hàng',
  'An Đà',
  'Đông Khê',
  'Đằng Hải',
  'Cát Bi',
  'Lý Thường Kiệt',
  'Phan Bội Châu',
  'Hoàng Diệu',
  'Cù Chính Lan',
  'Lê Đại Hành',
  'Trần Hưng Đạo',
  'Nguyễn Trãi',
  'Máy Tơ',
  'Lê Lai',
  'Đinh Tiên Hoàng',
  'Kiều Hạ',
  'Tôn Đức Thắng',
  'Nguyễn Bỉnh Khiêm',
  'Chợ Con',
  'Hào Khê',
  'Khúc Thừa Dụ',
  'Mê Linh',
  'Lam Sơn',
  'Thư Trung',
  'Đồng Hoà',
  'Lê Quý Đôn',
  'Nguyễn Lương Bằng',
  'Thống Nhất',
  'Nguyễn Văn Cừ',
  'Thanh Niên',
  'Hồng Quang',
  'Chi Lăng',
  'Phạm Ngũ Lão',
  'Yết Kiêu',
  'Tuệ Tĩnh',
  'Nguyễn Thị Duệ',
  'An Định',
  'Lê Viết Hưng',
  'Vũ Hựu',
  'Nguyễn Hữu Cầu',
  'Đức Minh',
  'Hùng Vương',
  'Phan Đăng Lưu',
  'Trần Thành Ngọ',
  'Nguyễn Công Trứ',
  'Cao Thắng',
  'Trần Quang Khải',
  'Lê Duẩn',
  'Võ Nguyên Giáp',
  'Hoàng Quốc Việt',
  'Ngô Quyền',
  'Tôn Thất Thuyết',
  'Lý Tự Trọng',
  'Nguyễn Tri Phương',
  'Phan Chu Trinh',
  'Cầu Rào',
  'Bùi Viện',
  'Nguyễn Bình',
  'Trần Khánh Dư',
];
const roads = [
  'Quốc lộ 5',
  'Quốc lộ 10',
  'Quốc lộ 37',
  'Quốc lộ 17B',
  'Quốc lộ 38B',
  'Tỉnh lộ 354',
  'Tỉnh lộ 391',
  'Tỉnh lộ 392',
  'Tỉnh lộ 396',
  'Tỉnh lộ 359',
  'Tỉnh lộ 362',
  'Đường tỉnh 389',
];
const ruralStreets = [
  'đường trục xã',
  'đường liên thôn',
  'đường ven đê',
  'đường vào UBND xã',
  'đường liên xã',
];
const villages = [
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Trung',
  'Thượng',
  'Hạ',
  'An Lạc',
  'Phú Xá',
  'Đoàn Kết',
  'Tân Lập',
  'Hoà Bình',
  'Quyết Tiến',
  'Bắc Sơn',
  'Đông Tác',
  'Cổ Am',
  'Lạc Dục',
  'Mỹ Đức',
  'Kim Đôi',
  'Văn Tra',
  'Đồng Xá',
  'Phương Hưng',
  'Trung Hà',
  'An Bình',
  'Thái Hoà',
  'Ngọc Lâm',
  'Tiên Cầu',
  'Hương Gián',
  'Đại Đồng',
  'Liễu Tràng',
];
const islandStreets: Record<string, string[]> = {
  'Cát Hải': [
    'đường Hà Sen',
    'đường Núi Ngọc',
    'đường 1/4',
    'đường xuyên đảo',
    'đường Cái Viềng',
    'đường Bến Bèo',
  ],
  'Bạch Long Vĩ': ['đường trung tâm đảo', 'đường vòng đảo', 'khu âu cảng'],
};

/** "Lê Chân" → "LECHAN": what ward codes look like (A–Z, 0–9, _; up to 20). */
export function codeOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 20);
}

/** The accent-free, lower-case form staff type into search ("Trần Nguyên Hãn" → "tran nguyen han"). */
export const plain = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();

function sample<T>(rng: Rng, items: readonly T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

function buildWard(rng: Rng, name: string, kind: WardKind): CityWard {
  const code = codeOf(name);
  let streets: string[];
  let groups: string[];
  let weight: number;
  if (kind === 'phường') {
    streets = sample(rng, cityStreets, rng.int(10, 16)).map((s) => `đường ${s}`);
    groups = Array.from({ length: rng.int(18, 45) }, (_, i) => `Tổ dân phố số ${i + 1}`);
    weight = innerCity.has(name) ? rng.between(2.2, 3.2) : rng.between(1.0, 2.0);
  } else if (kind === 'xã') {
    streets = [...sample(rng, roads, rng.int(1, 3)), ...ruralStreets, `đường ${name}`];
    groups = sample(rng, villages, rng.int(8, 16)).map((v) => `Thôn ${v}`);
    weight = rng.between(0.4, 1.0);
  } else {
    streets = islandStreets[name] ?? ['đường trung tâm'];
    groups = Array.from({ length: name === 'Cát Hải' ? 12 : 3 }, (_, i) => `Khu dân cư số ${i + 1}`);
    weight = name === 'Cát Hải' ? 0.35 : 0.08;
  }
  const landmarks = [
    `chợ ${name}`,
    `trường Tiểu học ${name}`,
    `trường THCS ${name}`,
    `trạm y tế ${kind} ${name}`,
    `trụ sở UBND ${kind} ${name}`,
    `nhà văn hoá ${rng
      .pick(groups)
      .replace(/^Tổ dân phố/, 'tổ dân phố')
      .replace(/^Thôn/, 'thôn')}`,
    kind === 'phường' ? `công viên ${name}` : `cầu ${rng.pick(villages)}`,
    `cổng chùa ${rng.pick(villages)}`,
  ];
  return {
    code,
    name: `${kind === 'phường' ? 'Phường' : kind === 'xã' ? 'Xã' : 'Đặc khu'} ${name}`,
    kind,
    weight,
    lat: kind === 'đặc khu' && name === 'Bạch Long Vĩ' ? 20.135 : rng.between(20.62, 21.12),
    lng: kind === 'đặc khu' && name === 'Bạch Long Vĩ' ? 107.725 : rng.between(106.2, 106.98),
    streets,
    groups,
    landmarks,
  };
}

export function buildCity(seed: number): CityWard[] {
  const rng = createRng(seed ^ 0x5eed_c17);
  const wards = [
    ...phuong.map((n) => buildWard(rng, n, 'phường')),
    ...xa.map((n) => buildWard(rng, n, 'xã')),
    ...dacKhu.map((n) => buildWard(rng, n, 'đặc khu')),
  ];
  const codes = new Set(wards.map((w) => w.code));
  if (wards.length !== 114 || codes.size !== 114)
    throw new Error(`the city must have 114 units with distinct codes (got ${wards.length}, ${codes.size})`);
  return wards;
}

/** The five standard departments of every unit; the police take the unit's kind in their name. */
export function departmentsOf(ward: CityWard) {
  return standardDepartments.map((d) => ({
    code: d.code,
    name: d.code === 'cap' ? `Công an ${ward.kind}` : d.name,
  }));
}

const familyNames: readonly (readonly [string, number])[] = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9],
  ['Phạm', 7],
  ['Hoàng', 5],
  ['Vũ', 5],
  ['Phan', 4],
  ['Bùi', 3],
  ['Đặng', 2],
  ['Đỗ', 3],
  ['Ngô', 2],
  ['Hồ', 1],
  ['Dương', 1],
  ['Lý', 1],
  ['Đinh', 1],
  ['Mạc', 1],
  ['Đào', 1],
];
const middleMale = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Xuân', 'Thanh', 'Công', 'Ngọc', 'Mạnh', 'Tiến'];
const middleFemale = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Hồng', 'Minh', 'Phương', 'Kim', 'Thuỳ', 'Lan'];
const givenMale = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hùng',
  'Hải',
  'Huy',
  'Khánh',
  'Long',
  'Nam',
  'Quân',
  'Sơn',
  'Thắng',
  'Tuấn',
  'Trung',
  'Việt',
  'Vinh',
  'Phong',
  'Toàn',
  'Đạt',
  'Hiếu',
  'Lâm',
  'Thành',
  'Tùng',
];
const givenFemale = [
  'Anh',
  'Bích',
  'Chi',
  'Dung',
  'Giang',
  'Hà',
  'Hạnh',
  'Hoa',
  'Hương',
  'Lan',
  'Linh',
  'Mai',
  'Nga',
  'Nhung',
  'Oanh',
  'Phương',
  'Quỳnh',
  'Thảo',
  'Trang',
  'Tâm',
  'Yến',
  'Vân',
  'Huyền',
  'Ngân',
];

export function personName(rng: Rng): string {
  let family = 'Nguyễn';
  let x = rng.next() * 95;
  for (const [name, w] of familyNames) {
    x -= w;
    if (x < 0) {
      family = name;
      break;
    }
  }
  return rng.chance(0.5)
    ? `${family} ${rng.pick(middleMale)} ${rng.pick(givenMale)}`
    : `${family} ${rng.pick(middleFemale)} ${rng.pick(givenFemale)}`;
}

/** Staff accounts of a unit; usernames read like the demo seed's (`vh.tiepnhan`, `vh.ktht.truongphong`). */
export function staffOf(ward: CityWard, rng: Rng) {
  const slug = ward.code.toLowerCase();
  const users: {
    username: string;
    fullName: string;
    role: 'intake' | 'chairman' | 'department_head' | 'department_officer';
    department: string | null;
  }[] = [
    { username: `${slug}.tiepnhan`, fullName: personName(rng), role: 'intake', department: null },
    { username: `${slug}.tiepnhan2`, fullName: personName(rng), role: 'intake', department: null },
    { username: `${slug}.chutich`, fullName: personName(rng), role: 'chairman', department: null },
  ];
  for (const d of standardDepartments) {
    users.push(
      {
        username: `${slug}.${d.code}.truongphong`,
        fullName: personName(rng),
        role: 'department_head',
        department: d.code,
      },
      {
        username: `${slug}.${d.code}.canbo`,
        fullName: personName(rng),
        role: 'department_officer',
        department: d.code,
      },
    );
  }
  return users;
}

/** The city's channel clients: the app, the hotline's switchboard and the public-service portal. */
export const cityApiClients = [
  { name: 'Smart Hải Phòng', channel: 'smart_haiphong' },
  { name: 'Tổng đài 1022', channel: 'hotline_1022' },
  { name: 'Cổng Dịch vụ công Hải Phòng', channel: 'web' },
] as const;
