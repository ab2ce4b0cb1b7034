import { isSecretName } from '../../../modules/audit/audit-entry.ts';

/** One field of an object that a change touched, its values as text (null: the field was absent). */
export type FieldChange = { field: string; before: string | null; after: string | null };

/** Longest value shown in the trail (a calendar's list of days is long); the rest is cut with "…". */
const MAX_CHARS = 300;

const asText = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS)}…` : s;
};

const fieldsOf = (state: unknown): Record<string, unknown> =>
  state !== null && typeof state === 'object' && !Array.isArray(state)
    ? (state as Record<string, unknown>)
    : {};

/**
 * What a change did to its object's fields, in the objects' own order: every top-level field whose
 * value differs (a creation: every field it was created with). A field named like a credential is
 * never shown, whatever the trail holds (it stores none; this is the second lock).
 */
export function auditChanges(before: unknown, after: unknown): FieldChange[] {
  const a = fieldsOf(before);
  const b = fieldsOf(after);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => !isSecretName(n));
  const out: FieldChange[] = [];
  for (const field of names) {
    const was = asText(a[field]);
    const is = asText(b[field]);
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) out.push({ field, before: was, after: is });
  }
  return out;
}
