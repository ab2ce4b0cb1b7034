import { describe, expect, it } from 'vitest';
import { type CaseStatus, caseStatuses, type Role } from '../../db/types.ts';
import { type CaseAction, decide, rules } from './state-machine.ts';

const statuses: readonly CaseStatus[] = caseStatuses;
const user = (role: Role) => ({ kind: 'user' as const, role });

describe('the case state machine', () => {
  it('follows the lifecycle of design.md §3', () => {
    expect(decide('assign', 'received', user('intake'))).toEqual({ ok: true, to: 'assigned' });
    expect(decide('accept', 'assigned', user('department_officer'))).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('request_info', 'in_progress', user('department_head'))).toEqual({
      ok: true,
      to: 'awaiting_info',
    });
    expect(decide('resume', 'awaiting_info', user('intake'))).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('respond', 'in_progress', user('department_head'))).toEqual({ ok: true, to: 'answered' });
    expect(decide('refuse_answer', 'answered', user('intake'))).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('close', 'answered', user('intake'))).toEqual({ ok: true, to: 'closed' });
    expect(decide('reopen', 'closed', { kind: 'api_client', owns: true })).toEqual({
      ok: true,
      to: 'assigned',
    });
    expect(decide('return', 'in_progress', user('department_officer'))).toEqual({ ok: true, to: 'received' });
    expect(decide('reject', 'received', user('intake'))).toEqual({ ok: true, to: 'rejected' });
    expect(decide('reject', 'assigned', user('intake'))).toEqual({ ok: true, to: 'rejected' });
  });

  it('no longer lets the ward office refuse a case the department has taken up', () => {
    expect(decide('reject', 'in_progress', user('intake'))).toMatchObject({
      ok: false,
      reason: 'invalid_status',
    });
  });

  it('keeps the status for actions that record without moving', () => {
    expect(decide('rate', 'closed', user('intake'))).toEqual({ ok: true, to: 'closed' });
    expect(decide('request_extension', 'awaiting_info', user('department_head'))).toEqual({
      ok: true,
      to: 'awaiting_info',
    });
  });

  it('lets the department answer, and only its head approve or send back an officer’s proposal', () => {
    // Whether an officer's answer is an answer or a proposal is the ward's setting (answer-proposals.ts).
    expect(decide('respond', 'in_progress', user('department_officer'))).toEqual({
      ok: true,
      to: 'answered',
    });
    for (const role of ['intake', 'chairman', 'admin'] as const)
      expect(decide('respond', 'in_progress', user(role))).toEqual({ ok: false, reason: 'forbidden' });
    // A proposal keeps the case where it is; approving it answers the case.
    expect(decide('propose_answer', 'in_progress', user('department_officer'))).toEqual({
      ok: true,
      to: 'in_progress',
    });
    expect(decide('propose_answer', 'assigned', user('department_head'))).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(decide('approve_answer', 'assigned', user('department_head'))).toEqual({
      ok: true,
      to: 'answered',
    });
    expect(decide('send_back_answer', 'awaiting_info', user('department_head'))).toEqual({
      ok: true,
      to: 'awaiting_info',
    });
    for (const role of ['department_officer', 'intake', 'chairman'] as const)
      for (const action of ['approve_answer', 'send_back_answer'] as const)
        expect(decide(action, 'in_progress', user(role))).toEqual({ ok: false, reason: 'forbidden' });
    expect(decide('approve_answer', 'awaiting_info', user('department_head'))).toMatchObject({
      ok: false,
      reason: 'invalid_status',
    });
  });

  it('lets a channel client act only on its own case, and only to reopen or rate', () => {
    expect(decide('reopen', 'closed', { kind: 'api_client', owns: false })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(decide('assign', 'received', { kind: 'api_client', owns: true })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
  });

  it('checks the role before the status, so a forbidden caller learns nothing about the case', () => {
    expect(decide('close', 'received', user('chairman'))).toEqual({ ok: false, reason: 'forbidden' });
  });

  it('refuses every action from a status outside its rule, naming the status', () => {
    for (const action of Object.keys(rules) as CaseAction[]) {
      const rule = rules[action];
      const role = rule.roles[0] as Role;
      for (const status of statuses) {
        const d = decide(action, status, user(role));
        if (rule.from.includes(status)) expect(d.ok).toBe(true);
        else expect(d).toEqual({ ok: false, reason: 'invalid_status', status, allowedFrom: rule.from });
      }
    }
  });

  it('has no way out of rejected, and closed only reopens, rates or changes its publication', () => {
    const from = (s: CaseStatus) =>
      (Object.keys(rules) as CaseAction[]).filter((a) => rules[a].from.includes(s));
    expect(from('rejected')).toEqual([]);
    expect(from('closed').sort()).toEqual(['publish', 'rate', 'reopen']);
  });
});
