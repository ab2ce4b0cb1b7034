import type { Principal } from '../auth/principal.ts';

/** Which cases a caller may see. Everything else is, to them, not there (404). */
export type CaseScope =
  | { kind: 'all' }
  | { kind: 'ward'; wardId: string }
  | { kind: 'department'; wardId: string; departmentId: string }
  | { kind: 'api_client'; clientId: string }
  | { kind: 'none' };

export function caseScope(p: Principal): CaseScope {
  if (p.kind === 'api_client') return { kind: 'api_client', clientId: p.clientId };
  switch (p.role) {
    case 'admin':
      return { kind: 'all' };
    case 'intake':
    case 'chairman':
      return p.wardId ? { kind: 'ward', wardId: p.wardId } : { kind: 'none' };
    case 'department_head':
    case 'department_officer':
      return p.wardId && p.departmentId
        ? { kind: 'department', wardId: p.wardId, departmentId: p.departmentId }
        : { kind: 'none' };
    // A campaign unit's submitter (a residential group's leader, a school's contact) sees no case.
    case 'unit_submitter':
      return { kind: 'none' };
  }
}
