import { z } from 'zod';
import { idSchema, text } from '../../shared/http.ts';
import { userBody } from '../directory/directory-schemas.ts';
import { unitKinds } from './crediting.ts';

const day = z.iso.date();
const share = z.number().min(0).max(1);
const count = z.number().int().min(0).max(1_000_000);

export const groupBody = z
  .object({
    name: text(200).meta({ description: 'As the ward names it: "Tổ dân phố số 5", "Tổ 5"' }),
    households: count,
    smartphoneHouseholds: count.meta({
      description: 'Households owning a smartphone, as the group declared',
    }),
    source: text(500)
      .optional()
      .meta({ description: 'Where the counts come from: "Báo cáo của tổ trưởng ngày 12/5/2026"' }),
  })
  .refine((g) => g.smartphoneHouseholds <= g.households, {
    path: ['smartphoneHouseholds'],
    message: 'Số hộ có điện thoại thông minh không thể lớn hơn số hộ',
  });

export const groupCountsBody = z
  .object({ households: count, smartphoneHouseholds: count, source: text(500).optional() })
  .refine((g) => g.smartphoneHouseholds <= g.households, {
    path: ['smartphoneHouseholds'],
    message: 'Số hộ có điện thoại thông minh không thể lớn hơn số hộ',
  });

export const groupImportBody = z.object({
  source: text(500).optional(),
  groups: z
    .array(
      z
        .object({ name: text(200), households: count, smartphoneHouseholds: count })
        .refine((g) => g.smartphoneHouseholds <= g.households, {
          path: ['smartphoneHouseholds'],
          message: 'Số hộ có điện thoại thông minh không thể lớn hơn số hộ',
        }),
    )
    .min(1)
    .max(500),
});

export const groupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    households: z.number().int(),
    smartphoneHouseholds: z.number().int(),
    source: z.string().nullable(),
    recordedAt: z.iso.datetime(),
    recordedBy: z.string().nullable().meta({ description: 'Who entered the current counts (full name)' }),
    versions: z.number().int().meta({ description: 'How many versions of the counts were recorded' }),
  })
  .meta({ id: 'ResidentialGroup' });

export const groupVersionSchema = z.object({
  households: z.number().int(),
  smartphoneHouseholds: z.number().int(),
  source: z.string().nullable(),
  recordedAt: z.iso.datetime(),
  recordedBy: z.string().nullable(),
});

export const groupParams = z.object({ id: idSchema, gid: idSchema });

export const targetsSchema = z
  .object({
    householdCoverage: share.default(1).meta({
      description: 'Share of smartphone-owning households with at least one member registered (0–1)',
    }),
    staffShare: share.default(1).meta({ description: "Share of each unit's staff registered (0–1)" }),
    householdsPerYouthMember: z.number().int().min(0).max(1000).default(10),
  })
  .meta({ id: 'CampaignTargets' });

export const chaseSchema = z
  .object({
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    hour: z.number().int().min(0).max(23),
  })
  .meta({
    id: 'CampaignChase',
    description:
      'When units with no list or below target are reminded (inbox and e-mail): ISO weekdays (1 = Monday) at this hour, Vietnam time, from the start to the end date',
  });

const campaignFields = {
  name: text(300),
  documentNumber: text(100)
    .nullable()
    .optional()
    .meta({ description: 'The document that ordered it: "45/KH-UBND"' }),
  documentDate: day.nullable().optional(),
  startsOn: day,
  endsOn: day,
};

export const campaignBody = z
  .object({
    wardId: idSchema,
    ...campaignFields,
    coordinatingDepartmentId: idSchema
      .optional()
      .meta({ description: "Default: the ward's Phòng Văn hoá – Xã hội (department code vhxh)" }),
    targets: targetsSchema.optional(),
    chase: chaseSchema.nullable().optional(),
  })
  .refine((c) => c.endsOn >= c.startsOn, { path: ['endsOn'], message: 'Ngày kết thúc trước ngày bắt đầu' });

export const campaignPatchBody = z
  .object({
    name: campaignFields.name.optional(),
    documentNumber: campaignFields.documentNumber,
    documentDate: campaignFields.documentDate,
    startsOn: day.optional(),
    endsOn: day.optional(),
    targets: targetsSchema.optional(),
    chase: chaseSchema.nullable().optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: 'Cần ít nhất một trường để thay đổi',
  });

export const campaignSchema = z
  .object({
    id: z.string(),
    wardId: z.string(),
    name: z.string(),
    documentNumber: z.string().nullable(),
    documentDate: z.string().nullable(),
    startsOn: z.string(),
    endsOn: z.string(),
    coordinatingDepartmentId: z.string(),
    coordinatingDepartment: z.string(),
    targets: z.object({
      householdCoverage: z.number(),
      staffShare: z.number(),
      householdsPerYouthMember: z.number(),
    }),
    chase: z.object({ weekdays: z.array(z.number()), hour: z.number() }).nullable(),
    rowsDeletedAt: z.iso.datetime().nullable().meta({
      description: "When the lists' rows (names, numbers) were deleted after the campaign; aggregates stay",
    }),
    access: z
      .enum(['coordinator', 'reader', 'submitter'])
      .meta({ description: "The caller's part: manages it, reads it, or sends one unit's list" }),
  })
  .meta({ id: 'Campaign' });

export const unitBody = z
  .object({
    kind: z.enum(unitKinds),
    name: text(200),
    residentialGroupId: idSchema.optional().meta({ description: 'Required for kind residential_group' }),
    headcount: count.optional().meta({ description: 'The staff its staff target is measured against' }),
  })
  .refine((u) => (u.kind === 'residential_group') === (u.residentialGroupId !== undefined), {
    path: ['residentialGroupId'],
    message: 'Tổ dân phố cần residentialGroupId; đơn vị khác không có',
  });

export const unitPatchBody = z
  .object({ name: text(200).optional(), headcount: count.nullable().optional() })
  .refine((u) => u.name !== undefined || u.headcount !== undefined, {
    message: 'Cần ít nhất một trường để thay đổi',
  });

export const unitSchema = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    kind: z.enum(unitKinds),
    name: z.string(),
    residentialGroupId: z.string().nullable(),
    headcount: z.number().int().nullable(),
    submitters: z.array(z.object({ id: z.string(), username: z.string(), fullName: z.string() })),
    list: z
      .object({
        id: z.string(),
        fileName: z.string(),
        rows: z.number().int(),
        accepted: z.number().int(),
        duplicates: z.number().int(),
        uploadedAt: z.iso.datetime(),
      })
      .nullable(),
  })
  .meta({ id: 'CampaignUnit' });

export const unitParams = z.object({ id: idSchema, uid: idSchema });

export const submitterBody = z.union([
  z
    .object({ userId: idSchema })
    .meta({ description: "An existing unit_submitter user of the campaign's ward" }),
  userBody.pick({ username: true, password: true, fullName: true, email: true }).meta({
    description: "A new account of role unit_submitter in the campaign's ward",
  }),
]);

export const problemItem = z.object({
  row: z.number().int(),
  column: z.string().optional(),
  message: z.string(),
});

export const listResultSchema = z
  .object({
    listId: z.string().nullable().meta({ description: 'The stored list; null on a dry run' }),
    fileName: z.string(),
    sheet: z.string().meta({ description: 'The worksheet read (a CSV has one)' }),
    headerRow: z.number().int(),
    rows: z.number().int().meta({ description: 'Rows that hold a person, well written or not' }),
    accepted: z
      .number()
      .int()
      .meta({ description: 'Rows read well enough to count (a name and a mobile number)' }),
    duplicates: z
      .number()
      .int()
      .meta({ description: 'Accepted rows whose every number is on an earlier row' }),
    alsoListedElsewhere: z
      .number()
      .int()
      .meta({ description: "People on this list already on another unit's list (counted once)" }),
    problems: z.array(problemItem),
    notes: z
      .array(problemItem)
      .meta({ description: 'What was changed on the way (an eleven-digit number converted)' }),
    understood: z
      .array(
        z.object({
          row: z.number().int(),
          name: z.string(),
          phones: z
            .array(z.string())
            .meta({ description: 'In the national form; masked but for the coordinator' }),
          organisation: z.string().nullable(),
          address: z.string().nullable(),
          household: z.string().nullable(),
          group: z
            .string()
            .nullable()
            .meta({ description: 'The residential group the household is credited to' }),
        }),
      )
      .meta({ description: 'Each accepted row as it was read' }),
  })
  .meta({ id: 'CampaignListResult' });

export const listQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: read and report, store nothing' }),
});

export const revealQuery = z.object({
  reveal: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({
      description: 'Coordinator only: full phone numbers; every reveal is recorded in the audit trail',
    }),
});

export const listRowSchema = z.object({
  row: z.number().int(),
  name: z.string(),
  phones: z.array(z.string()),
  organisation: z.string().nullable(),
  address: z.string().nullable(),
  household: z.string().nullable(),
});

export const progressSchema = z
  .object({
    totals: z.object({
      people: z.number().int(),
      coveredHouseholds: z.number().int(),
      smartphoneHouseholds: z.number().int(),
      households: z.number().int(),
      rate: z.number(),
      unplaced: z.number().int().meta({ description: 'People whose residential group no list tells' }),
    }),
    groups: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        coveredHouseholds: z.number().int(),
        smartphoneHouseholds: z.number().int(),
        households: z.number().int(),
        rate: z.number(),
        reachedTarget: z.boolean(),
      }),
    ),
    units: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(unitKinds),
        listed: z.number().int(),
        headcount: z.number().int().nullable(),
        target: z.number().int().nullable().meta({
          description:
            'The number to reach: the staff share of the headcount; for the youth union, headcount × households per member; null for a residential group (its target is its households) or without a headcount',
        }),
        rate: z.number().nullable().meta({
          description:
            'listed / headcount (the youth union: / the households its members guide), capped at 1; null without a target',
        }),
        submittedAt: z.iso.datetime().nullable(),
        belowTarget: z.boolean(),
      }),
    ),
    missing: z.array(z.string()).meta({ description: 'Units that have sent no list' }),
    computedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'CampaignProgress' });

export const timelineSchema = z.object({
  days: z.array(
    z.object({
      day: z.string(),
      people: z.number().int(),
      coveredHouseholds: z.number().int(),
      smartphoneHouseholds: z.number().int(),
      rate: z.number(),
    }),
  ),
});

export const rankingEntrySchema = z.object({
  rank: z.number().int(),
  groupId: z.string(),
  name: z.string(),
  rate: z.number(),
  reachedOn: z.string().nullable(),
  coveredHouseholds: z.number().int(),
  smartphoneHouseholds: z.number().int(),
});

export const rankingSchema = z
  .object({
    frozenOn: z
      .string()
      .nullable()
      .meta({ description: 'The date the published ranking was frozen; null: live' }),
    frozenAt: z.iso.datetime().nullable(),
    rules: z.string().meta({ description: 'The tie-breaks, in Vietnamese, as published' }),
    groups: z.array(rankingEntrySchema),
  })
  .meta({ id: 'CampaignRanking' });

export const rankingQuery = z.object({
  live: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: the ranking as of now, even when a frozen one is published' }),
});

export const freezeBody = z.object({
  frozenOn: day.optional().meta({ description: 'The date it is published with; default today (Vietnam)' }),
});

export const conflictSchema = z.object({
  id: z.string(),
  kind: z.enum(['name', 'group']).meta({
    description: "name: one number under different names; group: one person on two residential groups' lists",
  }),
  phone: z.string(),
  listings: z.array(
    z.object({ unitId: z.string(), unitName: z.string(), row: z.number().int(), name: z.string() }),
  ),
  resolution: z
    .object({ note: z.string(), resolvedAt: z.iso.datetime(), resolvedBy: z.string().nullable() })
    .nullable(),
});

export const resolveBody = z.object({
  note: text(1000).meta({
    description: 'What was decided: "Cùng một người, tên viết tắt", "Đã báo tổ 5 sửa số"',
  }),
});

export const conflictParams = z.object({ id: idSchema, cid: idSchema });
