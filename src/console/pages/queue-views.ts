import type { Role } from '../../db/types.ts';
import type { UserPrincipal } from '../../modules/auth/principal.ts';
import { timeLeft, when } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { vi } from '../vi.ts';

/**
 * The queues' tabs (issue 17): which a role sees, how they are named and linked (`?view=`, so a tab
 * is a bookmark), and the cells their rows share. The ward office's five and its chairman's (read
 * only); a department's own, and for its head the officers' answer proposals.
 */
export const officeViews = ['triage', 'returned', 'review', 'extensions', 'overdue'] as const;
export const departmentViews = ['department', 'proposals'] as const;
export type QueueView = (typeof officeViews)[number] | (typeof departmentViews)[number];

export function viewsOf(role: Role): readonly QueueView[] {
  if (role === 'department_head') return departmentViews;
  if (role === 'department_officer') return ['department'];
  return officeViews;
}

/** The view a request names, its role's first when it names none; null for one not the role's (404). */
export function viewOf(who: UserPrincipal, raw: unknown): QueueView | null {
  const views = viewsOf(who.role);
  if (raw === undefined || raw === '') return views[0] ?? null;
  return views.find((v) => v === raw) ?? null;
}

export const viewTitle: Record<QueueView, string> = {
  triage: vi.queues.triage,
  returned: vi.queues.returned,
  review: vi.queues.review,
  extensions: vi.queues.extensions,
  overdue: vi.queues.overdue,
  department: vi.queues.department,
  proposals: vi.queues.proposals,
};

export const viewHint: Record<QueueView, string> = {
  triage: vi.queue.triageHint,
  returned: vi.queues.returnedHint,
  review: vi.queues.reviewHint,
  extensions: vi.queues.extensionsHint,
  overdue: vi.queues.overdueHint,
  department: vi.queue.departmentHint,
  proposals: vi.queues.proposalsHint,
};

/** The tabs as links; the current one says so (aria-current), each with its count. */
export function tabs(views: readonly QueueView[], current: QueueView, counts: Record<QueueView, number>) {
  return html`<nav class="tabs" aria-label="${vi.queues.tabs}"><ul>${views.map(
    (v) =>
      html`<li><a href="/console/queue?view=${v}"${v === current ? html` aria-current="page"` : ''}>${vi.queues.label(viewTitle[v], counts[v])}</a></li>`,
  )}</ul></nav>`;
}

/** Due within this much (working) time: shown as due soon. */
const DUE_SOON_SECONDS = 4 * 3600;

type Left = { seconds: number; working: boolean; overdue: boolean; dueAt: string } | null;

/** A row's state for its class: overdue, due soon, paused (no clock), or nothing. */
export const stateOf = (left: Left) =>
  left === null ? 'paused' : left.overdue ? 'overdue' : left.seconds < DUE_SOON_SECONDS ? 'due-soon' : '';

/** The running deadline in words with an icon (never colour alone), as the SLA engine counts it. */
export function deadlineCell(left: Left): SafeHtml {
  const state = stateOf(left);
  const flag =
    state === 'overdue'
      ? html`<span class="flag overdue" aria-hidden="true">⚠</span> `
      : state === 'due-soon'
        ? html`<span class="flag due-soon">⏰ ${vi.cases.dueSoon}</span> `
        : '';
  return html`<td>${flag}${left === null ? vi.queue.paused : html`${timeLeft(left.seconds, left.working, left.overdue)} <span class="meta">(${when(left.dueAt)})</span>`}</td>`;
}

/** A deadline that is not counted here (a request or an answer waiting): its date, and late or not. */
export const dueCell = (dueAt: string | null, overdue: boolean) =>
  html`<td>${overdue ? html`<span class="flag overdue">⚠ ${vi.queues.overdueWord}</span> ` : ''}${when(dueAt)}</td>`;

/** The case's link (the row's first link: j/k move between them) and what it is about. */
export const caseCells = (c: { id: string; code: string; title: string | null; description: string }) =>
  html`<td><a href="/console/cases/${c.id}">${c.code}</a></td><td>${c.title ?? c.description.slice(0, 80)}</td>`;

export const excerpt = (s: string, max = 160) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export const headRow = (columns: (string | SafeHtml)[]) =>
  html`<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>`;
