import { withoutDiacritics } from '../../shared/vietnamese-text.ts';

/**
 * What anyone may read of a category's cases without signing in (design.md §1): `public` — the
 * description, the published answer and the location; `status_only` — where the case stands, its
 * dates, category and department, nothing of what or where.
 */
export const publications = ['public', 'status_only'] as const;
export type Publication = (typeof publications)[number];

/**
 * Security, public order, the police, complaints and denunciations: matters where publishing what a
 * citizen wrote may put them in danger or belongs to other procedures. "Trật tự đô thị" (urban order:
 * pavements, building) is not public order. The migration that added publication used this rule.
 */
const sensitive =
  /(an ninh|security|public order|trat tu cong cong|trat tu xa hoi|cong an|police|khieu nai|complaint|to cao|denunciation)/;

/** The publication a new category gets when the admin does not say. */
export function defaultPublication(code: string, name: string): Publication {
  const words = withoutDiacritics(`${code.replaceAll('_', ' ')} ${name}`).toLowerCase();
  return sensitive.test(words) ? 'status_only' : 'public';
}

/** A case's publication: its category's, and status_only whatever it says for a confidential reporter. */
export const casePublication = (
  categoryPublication: Publication | null,
  confidential: boolean,
): Publication => (confidential ? 'status_only' : (categoryPublication ?? 'public'));
