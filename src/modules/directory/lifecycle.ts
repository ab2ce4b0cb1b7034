import { sql } from 'kysely';
import type { UserPrincipal } from '../auth/principal.ts';

export type ListArgs = { limit: number; cursor?: string | undefined; active?: boolean | undefined };

/** The ward a staff member may read, or null for admins (every ward). */
export const wardScope = (p: UserPrincipal) => (p.role === 'admin' ? null : p.wardId);

/** The columns every change to a directory object sets besides its own: the next version, the time. */
export const bumped = () => ({ version: sql<number>`version + 1`, updated_at: new Date() });

/** Only the fields a partial update names (undefined: leave as it is; null: clear). */
export const named = <T extends Record<string, unknown>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

/** The audit action of a deactivation or reactivation. */
export const activeAction = (active: boolean) => (active ? 'reactivate' : 'deactivate');
