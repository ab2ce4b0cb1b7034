/**
 * Demo data for `npm run seed`: phường Việt Hoà (Hải Phòng), its departments and staff, the common
 * categories, the two city channels and a handful of citizens' reports. Addresses and phone numbers
 * are made up; phone numbers use the unallocated 0900 000 xxx range so no real person is called.
 */
import type { z } from 'zod';
import type { Channel, Role } from '../db/types.ts';
import type { createCaseBody } from '../modules/cases/case-schemas.ts';
import type { categoryBody } from '../modules/directory/directory-schemas.ts';

export const ward = { code: 'VIETHOA', name: 'Phường Việt Hoà' } as const;

export const departments = [
  { code: 'vp', name: 'Văn phòng HĐND và UBND' },
  { code: 'ktht', name: 'Phòng Kinh tế – Hạ tầng – Đô thị' },
  { code: 'vhxh', name: 'Phòng Văn hoá – Xã hội' },
  { code: 'cap', name: 'Công an phường' },
  { code: 'ttphcc', name: 'Trung tâm Phục vụ hành chính công' },
] as const;

type DepartmentCode = (typeof departments)[number]['code'];

const working = (duration: string) => ({ duration, clock: 'working' as const });
const continuous = (duration: string) => ({ duration, clock: 'continuous' as const });

/** Shared by every ward; the default department is looked up by code in the case's ward. */
export const categories: z.input<typeof categoryBody>[] = [
  {
    code: 'street_lighting',
    name: 'Chiếu sáng công cộng',
    defaultDepartmentCode: 'ktht',
    sla: { normal: working('P5D'), urgent: working('PT8H') },
  },
  {
    code: 'sanitation',
    name: 'Vệ sinh môi trường',
    defaultDepartmentCode: 'ktht',
    sla: { normal: working('P5D'), urgent: working('PT8H') },
  },
  {
    code: 'urban_order',
    name: 'Trật tự đô thị, lấn chiếm vỉa hè',
    defaultDepartmentCode: 'ktht',
    sla: { normal: working('P5D'), urgent: working('PT8H') },
  },
  {
    code: 'traffic',
    name: 'Giao thông',
    defaultDepartmentCode: 'ktht',
    // A hole in the road or a fallen tree is a danger now, whatever the office hours.
    sla: { normal: working('P5D'), urgent: continuous('PT4H') },
  },
  {
    code: 'public_security',
    name: 'An ninh trật tự',
    defaultDepartmentCode: 'cap',
    sla: { normal: working('P5D'), urgent: continuous('PT4H') },
  },
  {
    code: 'drainage',
    name: 'Hạ tầng, thoát nước, ngập úng',
    defaultDepartmentCode: 'ktht',
    sla: { normal: working('P5D'), urgent: working('PT8H') },
  },
  {
    code: 'administrative_procedure',
    name: 'Thủ tục hành chính',
    defaultDepartmentCode: 'ttphcc',
    sla: { normal: working('P10D'), urgent: working('P2D') },
  },
  {
    code: 'social_policy',
    name: 'Văn hoá – xã hội, chính sách',
    defaultDepartmentCode: 'vhxh',
    sla: { normal: working('P10D'), urgent: working('P2D') },
  },
  {
    code: 'noise',
    name: 'Tiếng ồn',
    defaultDepartmentCode: 'cap',
    sla: { normal: working('P5D'), urgent: continuous('PT4H') },
  },
  {
    // No default department: such cases stay "Chờ phân loại" until the ward office dispatches them.
    code: 'other',
    name: 'Khác',
    sla: { normal: working('P5D'), urgent: working('PT8H') },
  },
];

type SeedUser = {
  username: string;
  fullName: string;
  role: Exclude<Role, 'admin'>;
  department?: DepartmentCode;
  /** What the account is for, shown in the summary. */
  note: string;
};

export const users: SeedUser[] = [
  {
    username: 'vh.tiepnhan',
    fullName: 'Nguyễn Thị Thu Hà',
    role: 'intake',
    note: 'cán bộ tiếp nhận (Văn phòng HĐND và UBND)',
  },
  { username: 'vh.chutich', fullName: 'Phạm Văn Hùng', role: 'chairman', note: 'Chủ tịch UBND phường' },
  {
    username: 'vh.vp.truongphong',
    fullName: 'Trần Thị Mai Anh',
    role: 'department_head',
    department: 'vp',
    note: 'Chánh Văn phòng HĐND và UBND',
  },
  {
    username: 'vh.ktht.truongphong',
    fullName: 'Vũ Đức Thắng',
    role: 'department_head',
    department: 'ktht',
    note: 'Trưởng phòng Kinh tế – Hạ tầng – Đô thị',
  },
  {
    username: 'vh.ktht.canbo',
    fullName: 'Bùi Văn Nam',
    role: 'department_officer',
    department: 'ktht',
    note: 'chuyên viên Phòng Kinh tế – Hạ tầng – Đô thị',
  },
  {
    username: 'vh.vhxh.truongphong',
    fullName: 'Đỗ Thị Lan Hương',
    role: 'department_head',
    department: 'vhxh',
    note: 'Trưởng phòng Văn hoá – Xã hội',
  },
  {
    username: 'vh.cap.truongphong',
    fullName: 'Lê Minh Tuấn',
    role: 'department_head',
    department: 'cap',
    note: 'Trưởng Công an phường',
  },
  {
    username: 'vh.ttphcc.truongphong',
    fullName: 'Hoàng Thị Ngọc Bích',
    role: 'department_head',
    department: 'ttphcc',
    note: 'Giám đốc Trung tâm Phục vụ hành chính công',
  },
];

export const apiClients: { name: string; channel: Extract<Channel, 'smart_haiphong' | 'hotline_1022'> }[] = [
  { name: 'Smart Hải Phòng', channel: 'smart_haiphong' },
  { name: 'Tổng đài 1022', channel: 'hotline_1022' },
];

/** A case as a channel sends it; `externalId` makes re-running the seed a no-op. */
type SeedCase = Omit<z.input<typeof createCaseBody>, 'wardCode'> & {
  channel: Extract<Channel, 'smart_haiphong' | 'hotline_1022'>;
  externalId: string;
};

const photo = (name: string) => ({
  url: `https://example.org/pakn-demo/${name}`,
  mediaType: 'image/jpeg',
  name,
});

export const cases: SeedCase[] = [
  {
    externalId: 'seed-0001',
    channel: 'smart_haiphong',
    categoryCode: 'street_lighting',
    title: 'Đèn đường không sáng',
    description:
      'Ba cột đèn chiếu sáng trong ngõ cạnh nhà văn hoá khu dân cư số 3 không sáng đã gần một tuần. ' +
      'Buổi tối ngõ rất tối, học sinh đi học thêm về và người đi bộ không an toàn. Đề nghị phường kiểm tra, sửa chữa.',
    reporter: { name: 'Trần Văn Long', phone: '0900000101' },
    location: {
      address: 'Ngõ cạnh nhà văn hoá khu dân cư số 3, phường Việt Hoà',
      residentialGroup: 'Khu dân cư số 3',
      lat: 20.9436,
      lng: 106.2921,
    },
    attachments: [photo('den-duong-khong-sang.jpg')],
  },
  {
    externalId: 'seed-0002',
    channel: 'hotline_1022',
    categoryCode: 'sanitation',
    title: 'Rác thải tồn đọng ở đầu ngõ',
    description:
      'Người dân gọi tổng đài phản ánh: rác sinh hoạt bị đổ thành đống ở góc đầu ngõ 25 khoảng ba ngày chưa ' +
      'được thu gom, bốc mùi hôi, ruồi nhặng nhiều. Đề nghị đơn vị vệ sinh môi trường thu gom và nhắc nhở ' +
      'việc đổ rác không đúng giờ.',
    reporter: { name: 'Nguyễn Thị Hoa', phone: '0900000102' },
    location: {
      address: 'Đầu ngõ 25, tổ dân phố số 5, phường Việt Hoà',
      residentialGroup: 'Tổ dân phố số 5',
    },
  },
  {
    externalId: 'seed-0003',
    channel: 'smart_haiphong',
    categoryCode: 'urban_order',
    title: 'Quán cà phê lấn chiếm vỉa hè',
    description:
      'Quán cà phê trên tuyến phố chính kê bàn ghế và để xe máy kín vỉa hè, người đi bộ phải đi xuống lòng ' +
      'đường, nhất là giờ tan tầm rất nguy hiểm. Tình trạng kéo dài nhiều tháng.',
    reporter: { name: 'Phạm Quang Huy', phone: '0900000103' },
    location: {
      address: 'Vỉa hè trước số nhà 118 tuyến phố chính, phường Việt Hoà',
      lat: 20.9452,
      lng: 106.2957,
    },
    attachments: [photo('via-he-bi-lan-chiem-1.jpg'), photo('via-he-bi-lan-chiem-2.jpg')],
  },
  {
    externalId: 'seed-0004',
    channel: 'smart_haiphong',
    categoryCode: 'drainage',
    urgency: 'urgent',
    title: 'Ngập sâu sau mưa, nước tràn vào nhà dân',
    description:
      'Sau trận mưa lớn chiều nay, đoạn đường trong khu dân cư số 2 ngập sâu khoảng 40 cm, nước tràn vào ' +
      'nhiều nhà. Miệng cống thoát nước bị rác và bùn đất bịt kín. Đề nghị khẩn trương khơi thông cống.',
    reporter: { name: 'Đặng Thị Thanh Tâm', phone: '0900000104' },
    location: {
      address: 'Đường nội bộ khu dân cư số 2, phường Việt Hoà',
      residentialGroup: 'Khu dân cư số 2',
      lat: 20.9419,
      lng: 106.2896,
    },
    attachments: [photo('ngap-sau-mua.jpg')],
  },
  {
    externalId: 'seed-0005',
    channel: 'hotline_1022',
    categoryCode: 'noise',
    urgency: 'urgent',
    title: 'Hát karaoke gây ồn sau 22 giờ',
    description:
      'Một hộ gia đình hát karaoke với loa công suất lớn đến gần 12 giờ đêm, nhiều hôm liên tiếp, ảnh hưởng ' +
      'đến giấc ngủ của người già và trẻ nhỏ trong tổ dân phố. Hàng xóm đã nhắc nhưng không có kết quả.',
    reporter: { name: 'Lê Văn Bình', phone: '0900000105' },
    location: { address: 'Tổ dân phố số 7, phường Việt Hoà', residentialGroup: 'Tổ dân phố số 7' },
  },
  {
    externalId: 'seed-0006',
    channel: 'smart_haiphong',
    categoryCode: 'administrative_procedure',
    title: 'Hỏi thủ tục đăng ký khai sinh trực tuyến',
    description:
      'Tôi muốn đăng ký khai sinh cho con mới sinh qua Cổng Dịch vụ công quốc gia. Xin hỏi cần chuẩn bị ' +
      'những giấy tờ gì, có phải đến Trung tâm Phục vụ hành chính công của phường không và bao lâu thì nhận ' +
      'được giấy khai sinh?',
    reporter: { name: 'Vũ Thị Ngọc Lan', phone: '0900000106' },
  },
  {
    externalId: 'seed-0007',
    channel: 'hotline_1022',
    categoryCode: 'public_security',
    title: 'Nghi có tụ tập đánh bạc',
    description:
      'Người gọi đề nghị giữ bí mật danh tính: tối nào cũng có nhóm người lạ tụ tập trong một ngôi nhà ' +
      'cuối ngõ, ra vào đến khuya, nghi đánh bạc. Đề nghị công an phường kiểm tra.',
    reporter: { name: 'Hoàng Văn Sơn', phone: '0900000107', confidential: true },
    location: {
      address: 'Cuối ngõ 40, tổ dân phố số 9, phường Việt Hoà',
      residentialGroup: 'Tổ dân phố số 9',
    },
  },
  {
    externalId: 'seed-0008',
    channel: 'hotline_1022',
    title: 'Đề nghị lắp thêm ghế đá và đèn ở khu vui chơi',
    description:
      'Người dân đề nghị phường xem xét lắp thêm ghế đá, đèn chiếu sáng và sửa lại cầu trượt đã hỏng ở sân ' +
      'chơi chung của khu dân cư, để người già và trẻ em có chỗ tập thể dục buổi tối.',
    reporter: { name: 'Ngô Thị Hạnh', phone: '0900000108' },
    location: { address: 'Sân chơi khu dân cư số 1, phường Việt Hoà', residentialGroup: 'Khu dân cư số 1' },
  },
];
