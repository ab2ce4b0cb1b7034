import { describe, expect, it } from 'vitest';
import { answerProposalStatuses, type CaseStatus, caseStatuses, roles } from '../../db/types.ts';
import { answerActionOf, proposalStatusLabels, supersedesPendingProposal } from './answer-proposals.ts';
import { decide } from './state-machine.ts';

describe('answer proposals', () => {
  it('makes an officer’s answer a proposal exactly where the ward wants approval', () => {
    expect(answerActionOf('department_officer', true)).toBe('propose_answer');
    expect(answerActionOf('department_officer', false)).toBe('respond');
    expect(answerActionOf('department_head', true)).toBe('respond');
    expect(answerActionOf('department_head', false)).toBe('respond');
  });

  it('lets nobody but department staff answer or propose, whatever the ward decided', () => {
    for (const role of roles)
      for (const needsApproval of [true, false]) {
        const d = decide(answerActionOf(role, needsApproval), 'in_progress', { kind: 'user', role });
        expect(d.ok, `${role} ${needsApproval}`).toBe(
          role === 'department_head' || role === 'department_officer',
        );
      }
  });

  it('keeps a draft waiting while the case stays with its department, paused or not', () => {
    const at = (status: CaseStatus, department_id: string | null = '7') => ({ status, department_id });
    expect(supersedesPendingProposal(at('assigned'), at('in_progress'))).toBe(false);
    expect(supersedesPendingProposal(at('in_progress'), at('awaiting_info'))).toBe(false);
    expect(supersedesPendingProposal(at('awaiting_info'), at('in_progress'))).toBe(false);
    // An extension, a rating: the status stays.
    expect(supersedesPendingProposal(at('in_progress'), at('in_progress'))).toBe(false);
  });

  it('supersedes it once the case is answered, returned, transferred or rejected', () => {
    const at = (status: CaseStatus, department_id: string | null = '7') => ({ status, department_id });
    expect(supersedesPendingProposal(at('in_progress'), at('answered'))).toBe(true);
    expect(supersedesPendingProposal(at('in_progress'), at('received', null))).toBe(true);
    expect(supersedesPendingProposal(at('in_progress'), at('assigned', '8'))).toBe(true);
    expect(supersedesPendingProposal(at('assigned'), at('rejected'))).toBe(true);
    for (const status of caseStatuses.filter(
      (s) => !['assigned', 'in_progress', 'awaiting_info'].includes(s),
    ))
      expect(supersedesPendingProposal(at('in_progress'), at(status)), status).toBe(true);
  });

  it('names every status in Vietnamese', () => {
    for (const s of answerProposalStatuses) expect(proposalStatusLabels[s].length).toBeGreaterThan(0);
  });
});
