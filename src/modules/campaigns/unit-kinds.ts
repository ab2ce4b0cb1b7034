import type { UnitKind } from './crediting.ts';

/** The kinds of submitting unit as the ward writes them, for reports, templates and screens. */
export const unitKindLabels: Record<UnitKind, string> = {
  residential_group: 'Tổ dân phố',
  department: 'Phòng/ban',
  police: 'Công an',
  school: 'Trường học',
  association: 'Hội/đoàn thể',
  youth_union: 'Đoàn thanh niên',
  enterprise: 'Doanh nghiệp',
  other: 'Khác',
};
