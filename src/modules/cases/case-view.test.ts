import { describe, expect, it } from 'vitest';
import { type CaseStatus, caseStatuses } from '../../db/types.ts';
import type { ClientPrincipal, Principal, UserPrincipal } from '../auth/principal.ts';
import type { CaseWithCategory } from './case-repository.ts';
import { hidesReporter, isOverdue, toCaseView } from './case-view.ts';
import { statusLabels } from './status-labels.ts';

const now = new Date('2026-06-15T03:00:00Z');
const past = new Date(now.getTime() - 60_000);
const future = new Date(now.getTime() + 60_000);

const user = (role: UserPrincipal['role']): UserPrincipal => ({
  kind: 'user',
  userId: '1',
  username: 'u',
  role,
  wardId: role === 'admin' ? null : '10',
  departmentId: role.startsWith('department') ? '20' : null,
});
const client: ClientPrincipal = { kind: 'api_client', clientId: '5', name: 'App', channel: 'smart_haiphong' };

function row(over: Partial<CaseWithCategory> = {}): CaseWithCategory {
  return {
    id: '42',
    code: 'VIETHOA-260615-0042',
    ward_id: '10',
    channel: 'hotline_1022',
    external_id: 'ext-1',
    api_client_id: null,
    created_by_user_id: '1',
    status: 'assigned',
    urgency: 'normal',
    category_id: '3',
    department_id: '20',
    title: 'Đèn đường hỏng',
    description: 'Đèn đường trước nhà số 12 bị hỏng.',
    reporter_name: 'Nguyễn Văn A',
    reporter_phone: '0912345678',
    reporter_confidential: false,
    location_address: null,
    location_residential_group: null,
    location_lat: null,
    location_lng: null,
    attachments: [],
    received_at: new Date('2026-06-15T02:00:00Z'),
    accept_due_at: new Date('2026-06-15T10:00:00Z'),
    assigned_at: new Date('2026-06-15T02:00:00Z'),
    due_at: new Date('2026-06-20T10:00:00Z'),
    paused_at: null,
    answered_at: null,
    closed_at: null,
    answer_text: null,
    rating_score: null,
    rating_comment: null,
    reject_reason: null,
    duplicate_of: null,
    version: 3,
    sla_generation: 1,
    answer_published: null,
    public_answer: null,
    category_code: 'street_lighting',
    category_publication: 'public',
    ...over,
  } as CaseWithCategory;
}

describe('isOverdue', () => {
  it('received: by the acceptance deadline only', () => {
    expect(isOverdue({ status: 'received', accept_due_at: past, due_at: null }, now)).toBe(true);
    expect(isOverdue({ status: 'received', accept_due_at: future, due_at: past }, now)).toBe(false);
    expect(isOverdue({ status: 'received', accept_due_at: null, due_at: null }, now)).toBe(false);
  });

  it.each(['assigned', 'in_progress'] as CaseStatus[])('%s: by the answer deadline', (status) => {
    expect(isOverdue({ status, accept_due_at: future, due_at: past }, now)).toBe(true);
    expect(isOverdue({ status, accept_due_at: past, due_at: future }, now)).toBe(false);
    expect(isOverdue({ status, accept_due_at: past, due_at: null }, now)).toBe(false);
  });

  it.each(['awaiting_info', 'answered', 'closed', 'rejected'] as CaseStatus[])(
    '%s: never overdue (clock stopped or case finished)',
    (status) => {
      expect(isOverdue({ status, accept_due_at: past, due_at: past }, now)).toBe(false);
    },
  );

  it('a deadline equal to now is not yet overdue', () => {
    expect(isOverdue({ status: 'assigned', accept_due_at: null, due_at: new Date(now) }, now)).toBe(false);
    expect(isOverdue({ status: 'received', accept_due_at: new Date(now), due_at: null }, now)).toBe(false);
  });
});

describe('hidesReporter', () => {
  it('hides a confidential reporter from department roles only', () => {
    expect(hidesReporter(user('department_head'), true)).toBe(true);
    expect(hidesReporter(user('department_officer'), true)).toBe(true);
    for (const p of [user('admin'), user('intake'), user('chairman'), client] as Principal[])
      expect(hidesReporter(p, true)).toBe(false);
  });

  it('never hides a reporter who did not ask for confidentiality', () => {
    for (const p of [
      user('department_head'),
      user('department_officer'),
      user('admin'),
      user('intake'),
      user('chairman'),
      client,
    ] as Principal[])
      expect(hidesReporter(p, false)).toBe(false);
  });
});

describe('toCaseView', () => {
  it('maps a row to the contract shape with ISO times', () => {
    const v = toCaseView(row(), user('intake'), now);
    expect(v).toMatchObject({
      id: '42',
      code: 'VIETHOA-260615-0042',
      wardId: '10',
      channel: 'hotline_1022',
      externalId: 'ext-1',
      status: 'assigned',
      statusLabel: statusLabels.assigned,
      urgency: 'normal',
      categoryCode: 'street_lighting',
      departmentId: '20',
      title: 'Đèn đường hỏng',
      reporter: { name: 'Nguyễn Văn A', phone: '0912345678', confidential: false },
      location: null,
      attachments: [],
      receivedAt: '2026-06-15T02:00:00.000Z',
      acceptDueAt: '2026-06-15T10:00:00.000Z',
      dueAt: '2026-06-20T10:00:00.000Z',
      answeredAt: null,
      closedAt: null,
      overdue: false,
      answer: null,
      rating: null,
      version: 3,
    });
  });

  it('masks a confidential reporter for department roles, as a whole (not just the phone)', () => {
    const r = row({ reporter_confidential: true });
    expect(toCaseView(r, user('department_head'), now).reporter).toBeNull();
    expect(toCaseView(r, user('department_officer'), now).reporter).toBeNull();
    const shown = { name: 'Nguyễn Văn A', phone: '0912345678', confidential: true };
    expect(toCaseView(r, user('intake'), now).reporter).toEqual(shown);
    expect(toCaseView(r, user('chairman'), now).reporter).toEqual(shown);
    expect(toCaseView(r, user('admin'), now).reporter).toEqual(shown);
    expect(toCaseView(r, client, now).reporter).toEqual(shown);
    expect(JSON.stringify(toCaseView(r, user('department_head'), now))).not.toContain('0912345678');
    expect(JSON.stringify(toCaseView(r, user('department_head'), now))).not.toContain('Nguyễn Văn A');
  });

  it('computes overdue against the given clock', () => {
    expect(toCaseView(row({ due_at: past }), user('intake'), now).overdue).toBe(true);
    expect(toCaseView(row({ due_at: past }), user('intake'), new Date(past.getTime() - 1)).overdue).toBe(
      false,
    );
  });

  it('shows a location when any part of it is known', () => {
    expect(toCaseView(row({ location_residential_group: 'Tổ 5' }), client, now).location).toEqual({
      address: null,
      residentialGroup: 'Tổ 5',
      lat: null,
      lng: null,
    });
    expect(toCaseView(row({ location_lat: 20.9, location_lng: 106.3 }), client, now).location).toMatchObject({
      lat: 20.9,
      lng: 106.3,
    });
  });

  it('carries the answer and the rating when present', () => {
    const answeredAt = new Date('2026-06-16T04:00:00Z');
    const v = toCaseView(
      row({
        status: 'closed',
        answer_text: 'Đã thay bóng đèn.',
        answered_at: answeredAt,
        closed_at: answeredAt,
        rating_score: 4,
        rating_comment: null,
      }),
      user('chairman'),
      now,
    );
    expect(v.answer).toEqual({ text: 'Đã thay bóng đèn.', at: '2026-06-16T04:00:00.000Z' });
    expect(v.rating).toEqual({ score: 4, comment: null });
    expect(v.closedAt).toBe('2026-06-16T04:00:00.000Z');
    expect(v.statusLabel).toBe(statusLabels.closed);
    expect(v.overdue).toBe(false);
  });

  it('has a label for every status', () => {
    for (const s of caseStatuses)
      expect(toCaseView(row({ status: s }), client, now).statusLabel).toBe(statusLabels[s]);
  });
});
