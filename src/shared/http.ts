import { z } from 'zod';
import { badRequest } from './errors.ts';

/** C0 control characters other than tab, line feed and carriage return (NUL among them). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose.
const c0Controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * Whether a text may be kept and handed on as given: Postgres refuses U+0000 (a 500 if it got that
 * far), a lone UTF-16 surrogate has no UTF-8 form (it would come back as U+FFFD), and the other C0
 * control characters are no text at all — XML 1.0 cannot carry them, so one of them in a description
 * would break the Open311 XML feed for everyone (tab, line feed and carriage return are text).
 */
export const isStorable = (s: string) => !c0Controls.test(s) && s.isWellFormed();

const unstorableMessage = 'Chuỗi chứa ký tự không hợp lệ (ký tự điều khiển, NUL hoặc mã Unicode hỏng)';

/** A string the database can keep as given; anything else is a 400 naming the field. */
export const storableString = () => z.string().refine(isStorable, unstorableMessage);

/** Text as given, in NFC, trimmed. */
export const text = (max: number, min = 1) =>
  storableString()
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().min(min).max(max));

export const idSchema = z.string().regex(/^[1-9]\d{0,17}$/, 'Mã định danh không hợp lệ');
export const idParams = z.object({ id: idSchema });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The error responses a route may produce, for its OpenAPI description. */
export const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, problemSchema])) as Record<number, typeof problemSchema>;

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Opaque keyset cursors: the last row's id, base64url-encoded. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const raw = Buffer.from(cursor, 'base64url').toString();
  const m = /^id:([1-9]\d{0,17})$/.exec(raw);
  if (!m?.[1]) throw badRequest('cursor không hợp lệ', [{ path: 'cursor', message: 'cursor không hợp lệ' }]);
  return m[1];
}

/** Builds a page from rows fetched with limit + 1. */
export function page<Row extends { id: string }, Item>(rows: Row[], limit: number, map: (r: Row) => Item) {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  const last = slice.at(-1);
  return { items: slice.map(map), nextCursor: more && last ? encodeCursor(last.id) : null };
}

export const isoDateTime = z.iso.datetime({ offset: true });
