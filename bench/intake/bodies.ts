/**
 * Realistic intake bodies: what a channel app (Smart Hải Phòng) posts for residents' reports, in
 * Vietnamese, with a spread of lengths, optional fields, urgent cases and photo attachments.
 * Deterministic (seeded), so the project and the floor receive the same mix.
 */
import { mulberry32 } from '../lib/prng.ts';

export type BenchCategory = { code: string; name: string; departmentCode: string; topics: string[] };

export const departments = [
  { code: 'ktht', name: 'Phòng Kinh tế – Hạ tầng – Đô thị' },
  { code: 'vhxh', name: 'Phòng Văn hoá – Xã hội' },
  { code: 'cap', name: 'Công an phường' },
];

export const categories: BenchCategory[] = [
  {
    code: 'chieu_sang',
    name: 'Chiếu sáng công cộng',
    departmentCode: 'ktht',
    topics: [
      'Đèn đường trước nhà số {n} bị hỏng, buổi tối rất tối, người đi đường dễ ngã.',
      'Cột đèn chiếu sáng ở đầu ngõ {n} nghiêng, dây điện võng thấp, nguy hiểm cho trẻ em.',
      'Cả dãy đèn trên tuyến phố tắt từ {h} giờ tối, đã mấy hôm liền chưa ai sửa.',
    ],
  },
  {
    code: 'moi_truong',
    name: 'Vệ sinh môi trường',
    departmentCode: 'ktht',
    topics: [
      'Rác thải sinh hoạt tập kết ở đầu ngõ {n} đã {d} ngày chưa được thu gom, bốc mùi hôi thối.',
      'Cống thoát nước bị tắc, mỗi khi mưa nước tràn lên mặt đường, ngập đến đầu gối.',
      'Có người đổ trộm phế thải xây dựng ra vỉa hè vào ban đêm, đề nghị phường kiểm tra xử lý.',
    ],
  },
  {
    code: 'trat_tu_do_thi',
    name: 'Trật tự đô thị',
    departmentCode: 'cap',
    topics: [
      'Quán ăn lấn chiếm toàn bộ vỉa hè, người đi bộ phải đi xuống lòng đường.',
      'Ô tô đỗ thành hàng hai bên ngõ {n}, xe cứu thương và xe chữa cháy không vào được.',
      'Công trình xây dựng tại số {n} không che chắn, vật liệu rơi xuống đường.',
    ],
  },
  {
    code: 'an_ninh_trat_tu',
    name: 'An ninh trật tự',
    departmentCode: 'cap',
    topics: [
      'Nhóm thanh niên tụ tập, hát karaoke rất to đến {h} giờ sáng, ảnh hưởng giấc ngủ của cả khu.',
      'Thường xuyên có người lạ đi xe máy không biển số chạy tốc độ cao trong ngõ {n}.',
    ],
  },
  {
    code: 'van_hoa_xa_hoi',
    name: 'Văn hoá – Xã hội',
    departmentCode: 'vhxh',
    topics: [
      'Sân chơi của tổ dân phố xuống cấp, cầu trượt gãy, trẻ em chơi không an toàn.',
      'Gia đình chúng tôi thuộc diện hộ nghèo nhưng chưa nhận được hỗ trợ theo quy định, đề nghị xem xét.',
    ],
  },
];

const streets = [
  'Lạch Tray',
  'Tô Hiệu',
  'Điện Biên Phủ',
  'Trần Phú',
  'Lê Lợi',
  'Hai Bà Trưng',
  'Cầu Đất',
  'Lê Thánh Tông',
  'Văn Cao',
  'Nguyễn Trãi',
  'Hoàng Văn Thụ',
  'Lán Bè',
];
const familyNames = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'];
const middleNames = ['Văn', 'Thị', 'Minh', 'Thu', 'Quốc', 'Hoàng', 'Ngọc', 'Đức'];
const givenNames = ['An', 'Bích', 'Nam', 'Hà', 'Tuấn', 'Lan', 'Bảo', 'Mai', 'Hùng', 'Hạnh', 'Dũng', 'Thảo'];
const closings = [
  'Kính đề nghị phường sớm kiểm tra, xử lý.',
  'Người dân trong khu rất bức xúc, mong cơ quan chức năng vào cuộc.',
  'Tôi đã phản ánh qua tổ trưởng tổ dân phố nhưng chưa có kết quả.',
  'Xin cảm ơn.',
];
const phonePrefixes = ['090', '091', '098', '097', '086', '083', '035', '070'];

const ID_MARK = '__BENCH_EXTERNAL_ID__';

/** A body split around its externalId, so a request costs two string concatenations. */
type Template = { before: string; after: string };

/** The point every body has with `atOnePoint`: a street of the bodies' area (a flood, a fallen tree). */
export const burstPoint = { lat: 20.855321, lng: 106.694417 };

/**
 * `o.count` distinct bodies for `wardCode`; `next(id)` returns the next one (round robin) carrying
 * externalId `id`. Their map points are spread over 5 x 5 km, or with `o.atOnePoint` all at
 * `burstPoint` (bodies without a point stay without).
 */
export function bodyFactory(
  wardCode: string,
  o: { count?: number; seed?: number; atOnePoint?: boolean } = {},
) {
  const { count = 1_000, seed = 20261121, atOnePoint = false } = o;
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const templates: Template[] = [];
  // Drawn either way, so both kinds of bodies are the same but for the point.
  const spread = () => {
    const p = {
      lat: Math.round((20.83 + rnd() * 0.05) * 1e6) / 1e6,
      lng: Math.round((106.67 + rnd() * 0.05) * 1e6) / 1e6,
    };
    return atOnePoint ? burstPoint : p;
  };
  for (let i = 0; i < count; i++) {
    const category = pick(categories);
    const street = pick(streets);
    const no = int(1, 250);
    const fill = (s: string) =>
      s
        .replaceAll('{n}', String(int(1, 250)))
        .replaceAll('{h}', String(int(1, 11)))
        .replaceAll('{d}', String(int(2, 9)));
    const sentences = [fill(pick(category.topics))];
    // Some residents write one line, some a paragraph.
    for (let k = int(0, 3); k > 0; k--) sentences.push(fill(pick(category.topics)));
    sentences.push(`Địa chỉ: số ${no} phố ${street}.`, pick(closings));
    const urgent = rnd() < 0.1;
    const withLocation = rnd() < 0.85;
    const attachments =
      rnd() < 0.3
        ? Array.from({ length: int(1, 3) }, (_, k) => ({
            url: `https://smart.haiphong.gov.vn/uploads/2026/11/${int(100_000, 999_999)}-${k}.jpg`,
            mediaType: 'image/jpeg',
            name: `anh-hien-truong-${k + 1}.jpg`,
          }))
        : undefined;
    const body = {
      wardCode,
      channel: 'smart_haiphong',
      externalId: ID_MARK,
      categoryCode: category.code,
      ...(urgent ? { urgency: 'urgent' } : {}),
      title: `${category.name}: ${street}`,
      description: sentences.join(' '),
      reporter: {
        ...(rnd() < 0.8 ? { name: `${pick(familyNames)} ${pick(middleNames)} ${pick(givenNames)}` } : {}),
        phone: `${pick(phonePrefixes)}${String(int(0, 9_999_999)).padStart(7, '0')}`,
        confidential: rnd() < 0.1,
      },
      ...(withLocation
        ? {
            location: {
              address: `Số ${no} ${street}, Ngô Quyền, Hải Phòng`,
              residentialGroup: `Tổ dân phố ${int(1, 30)}`,
              ...spread(),
            },
          }
        : {}),
      ...(attachments ? { attachments } : {}),
    };
    const [before, after] = JSON.stringify(body).split(ID_MARK) as [string, string];
    templates.push({ before, after });
  }
  let i = 0;
  return {
    templates: templates.length,
    meanBytes: Math.round(
      templates.reduce((n, t) => n + Buffer.byteLength(t.before) + Buffer.byteLength(t.after), 0) /
        templates.length,
    ),
    next(id: string): string {
      const t = templates[i++ % templates.length] as Template;
      return t.before + id + t.after;
    },
  };
}
