import { z } from 'zod';
import { preconditionFailed } from './errors.ts';

/** The If-Match header of a change: act only on the version the caller saw. */
export const ifMatchHeaders = z.object({
  'if-match': z.string().max(100).optional(),
});

/** Whether `If-Match` names this version: `"3"`, `W/"3"`, `3`, a list of them, or `*`. */
export function matchesVersion(ifMatch: string, version: number): boolean {
  return ifMatch
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t.replace(/^W\//, '').replaceAll('"', '') === String(version));
}

/** 412 when the caller sent `If-Match` for another version than the stored one (`what`: whose, in Vietnamese). */
export function checkIfMatch(ifMatch: string | undefined, version: number, what: string): void {
  if (ifMatch !== undefined && !matchesVersion(ifMatch, version))
    throw preconditionFailed(`${what} đã thay đổi (phiên bản hiện tại ${version}); hãy tải lại.`);
}
