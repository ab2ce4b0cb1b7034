import { describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../auth/principal.ts';
import { caseScope } from './case-scope.ts';

const user = (over: Partial<UserPrincipal>): UserPrincipal => ({
  kind: 'user',
  userId: '1',
  username: 'u',
  role: 'intake',
  wardId: '10',
  departmentId: null,
  ...over,
});

describe('caseScope', () => {
  it('admin sees everything', () => {
    expect(caseScope(user({ role: 'admin', wardId: null }))).toEqual({ kind: 'all' });
  });

  it('intake and chairman see their ward', () => {
    expect(caseScope(user({ role: 'intake' }))).toEqual({ kind: 'ward', wardId: '10' });
    expect(caseScope(user({ role: 'chairman', wardId: '11' }))).toEqual({ kind: 'ward', wardId: '11' });
  });

  it('department roles see their department, within their ward', () => {
    for (const role of ['department_head', 'department_officer'] as const)
      expect(caseScope(user({ role, departmentId: '20' }))).toEqual({
        kind: 'department',
        wardId: '10',
        departmentId: '20',
      });
  });

  it('an API client sees the cases it created', () => {
    expect(caseScope({ kind: 'api_client', clientId: '5', name: 'App', channel: 'web' })).toEqual({
      kind: 'api_client',
      clientId: '5',
    });
  });

  it('a ward role without a ward, or a department role without a department, sees nothing (fails closed)', () => {
    expect(caseScope(user({ role: 'intake', wardId: null }))).toEqual({ kind: 'none' });
    expect(caseScope(user({ role: 'chairman', wardId: null }))).toEqual({ kind: 'none' });
    expect(caseScope(user({ role: 'department_head', departmentId: null }))).toEqual({ kind: 'none' });
    expect(caseScope(user({ role: 'department_officer', wardId: null, departmentId: '20' }))).toEqual({
      kind: 'none',
    });
  });

  it('a department user never gets a ward-wide scope even when the ward is set', () => {
    const s = caseScope(user({ role: 'department_officer', departmentId: '20' }));
    expect(s.kind).toBe('department');
  });
});
