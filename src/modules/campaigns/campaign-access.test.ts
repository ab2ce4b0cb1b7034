import { describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../auth/principal.ts';
import { campaignRole, maskPhone } from './campaign-access.ts';

const user = (over: Partial<UserPrincipal>): UserPrincipal => ({
  kind: 'user',
  userId: '1',
  username: 'u',
  role: 'intake',
  wardId: '10',
  departmentId: null,
  ...over,
});
const campaign = { wardId: '10', coordinatingDepartmentId: '7' };

describe('campaignRole', () => {
  it('makes the coordinating department and admins coordinators', () => {
    expect(campaignRole(user({ role: 'department_officer', departmentId: '7' }), campaign, null)).toEqual({
      kind: 'coordinator',
    });
    expect(campaignRole(user({ role: 'department_head', departmentId: '7' }), campaign, null).kind).toBe(
      'coordinator',
    );
    expect(campaignRole(user({ role: 'admin', wardId: null }), campaign, null).kind).toBe('coordinator');
  });

  it("lets the ward's chairman and other staff read, and tells the chairman apart", () => {
    expect(campaignRole(user({ role: 'chairman' }), campaign, null)).toEqual({
      kind: 'reader',
      chairman: true,
    });
    expect(campaignRole(user({ role: 'department_head', departmentId: '8' }), campaign, null)).toEqual({
      kind: 'reader',
      chairman: false,
    });
  });

  it('binds a submitter to their unit, and gives an unbound submitter nothing', () => {
    expect(campaignRole(user({ role: 'unit_submitter' }), campaign, '55')).toEqual({
      kind: 'submitter',
      unitId: '55',
    });
    expect(campaignRole(user({ role: 'unit_submitter' }), campaign, null).kind).toBe('none');
  });

  it("gives another ward's staff nothing, its chairman and its culture office included", () => {
    expect(campaignRole(user({ role: 'chairman', wardId: '11' }), campaign, null).kind).toBe('none');
    expect(
      campaignRole(user({ role: 'department_head', wardId: '11', departmentId: '7' }), campaign, null).kind,
    ).toBe('none');
  });
});

describe('maskPhone', () => {
  it('keeps the last three digits only', () => {
    expect(maskPhone('0912345678')).toBe('…678');
  });
});
