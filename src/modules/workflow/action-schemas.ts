import { z } from 'zod';
import { idSchema, isStorable, storableString, text } from '../../shared/http.ts';
import { categoryCode } from '../cases/case-schemas.ts';
import { rejectReasons } from '../cases/status-labels.ts';
import { fileUrlPattern } from '../files/file-schemas.ts';
import { durationSchema } from '../sla/duration-schema.ts';

const note = text(2000);
const attachments = z
  .array(
    z.object({
      // An external http(s) address as before, or a file uploaded to pakn (POST /api/v1/files), by the
      // path its upload returned: checked and linked to the case when the answer is written.
      url: z.union(
        [
          z
            .url({ protocol: /^https?$/, error: 'Đường dẫn tệp phải là URL http(s)' })
            .max(2000)
            .refine(isStorable, 'Đường dẫn chứa ký tự không hợp lệ'),
          z
            .string()
            .regex(fileUrlPattern)
            .meta({ description: 'A pakn file: the `url` of POST /api/v1/files' }),
        ],
        { error: 'Đường dẫn tệp phải là URL http(s) hoặc /api/v1/files/{id}' },
      ),
      mediaType: storableString().max(100).optional(),
      name: text(255).optional(),
    }),
  )
  .max(20);

export const assignBody = z.object({
  departmentId: idSchema,
  note: note.optional(),
  /** Classify the case while dispatching it, when it arrived without a category. */
  categoryCode: categoryCode.optional(),
});

export const rejectBody = z
  .object({ reason: z.enum(rejectReasons), note: note.optional(), duplicateOf: idSchema.optional() })
  .refine((b) => b.reason !== 'duplicate' || b.duplicateOf !== undefined, {
    message: 'Cần duplicateOf khi từ chối vì trùng lặp',
    path: ['duplicateOf'],
  });

// Fastify hands a missing body over as null.
export const optionalNoteBody = z.object({ note: note.optional() }).nullish();
export const noteBody = z.object({ note });
export const reopenBody = z.object({ reason: note });

export const extensionBody = z.object({
  extendBy: durationSchema.refine((d) => !d.startsWith('-') && !/^P(T)?(0+[WDHMS])+$/.test(d), {
    message: 'Thời gian gia hạn phải dương',
  }),
  reason: note,
});

const publish = z.boolean().meta({
  description:
    'Whether the answer is published (public tracking, Open311). Default at closing: yes for a `public` case, no for a `status_only` one; never for a confidential reporter',
});
const publicAnswer = text(10_000).meta({
  description:
    'The text the public reads instead of the answer as given (which stays on the timeline); the reporter’s name and phone numbers are hidden from it either way',
});

// Fastify hands a missing body over as null.
export const closeBody = z
  .object({ note: note.optional(), publish: publish.optional(), publicAnswer: publicAnswer.optional() })
  .nullish();
export const publicationBody = z.object({ publish, publicAnswer: publicAnswer.optional() });

export const respondBody = z.object({ answer: text(10_000), attachments: attachments.default([]) });
export const ratingBody = z.object({ score: z.number().int().min(1).max(5), comment: text(2000).optional() });

export const extensionParams = z.object({ id: idSchema, rid: idSchema });

export const proposalParams = z.object({ id: idSchema, pid: idSchema });
/** The head's reason for sending an officer's answer proposal back: required. */
export const sendBackBody = z.object({
  note: z.string({ error: 'Cần ghi rõ lý do trả lại đề xuất trả lời' }).pipe(note),
});
