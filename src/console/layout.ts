import { isDepartmentRole, type UserPrincipal } from '../modules/auth/principal.ts';
import { html, type SafeHtml } from './html.ts';
import { vi } from './vi.ts';

export type Shell = {
  title: string;
  /** Null on the sign-in page: no navigation. */
  user: { principal: UserPrincipal; fullName: string; unread: number } | null;
  csrf: string | null;
  /** Which navigation entry is this page's. */
  current?: 'inbox' | 'queue' | 'cases' | 'intake' | 'board' | 'admin' | 'templates' | 'campaigns';
};

/**
 * The page shell: one column, a skip link, the navigation of the signed-in user (name, role, unread
 * count, sign-out), the main region. htmx sends the anti-forgery token as a header on every request it
 * makes (hx-headers on <body>, which htmx 2 inherits); plain forms carry it as a field.
 */
export function page(shell: Shell, main: SafeHtml): SafeHtml {
  const { user, csrf } = shell;
  const link = (href: string, key: NonNullable<Shell['current']>, label: SafeHtml | string) =>
    html`<a href="${href}"${shell.current === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>
<title>${shell.title} — ${vi.app}</title>
<link rel="stylesheet" href="/console/static/console.css">
<script src="/console/static/htmx/htmx.min.js" defer></script>
<script src="/console/static/console.js" defer></script>
</head>
<body${csrf ? html` hx-headers='${JSON.stringify({ 'x-csrf-token': csrf })}'` : ''}>
<a class="skip" href="#main">${vi.skipToContent}</a>
${
  user
    ? html`<header class="top">
<nav aria-label="${vi.nav.label}">
<ul>
${
  user.principal.role === 'unit_submitter'
    ? // A unit's submitter works on their campaign only; its page carries their reminders.
      html`<li>${link('/console/campaigns', 'campaigns', html`${vi.campaigns.nav} ${unreadBadge(user.unread)}`)}</li>`
    : html`<li>${link('/console', 'inbox', html`${vi.nav.inbox} ${unreadBadge(user.unread)}`)}</li>
<li>${link('/console/queue', 'queue', vi.queue.nav)}</li>
<li>${link('/console/cases', 'cases', vi.nav.cases)}</li>
${user.principal.role === 'intake' ? html`<li>${link('/console/intake/new', 'intake', vi.intake.nav)}</li>` : ''}
${user.principal.role === 'chairman' || user.principal.role === 'admin' ? html`<li>${link('/console/board', 'board', vi.board.nav)}</li>` : ''}
${user.principal.role === 'admin' ? html`<li>${link('/console/admin', 'admin', vi.adminDirectory.nav)}</li>` : ''}
${isDepartmentRole(user.principal.role) ? html`<li>${link('/console/templates', 'templates', vi.answerTemplates.nav)}</li>` : ''}
<li>${link('/console/campaigns', 'campaigns', vi.campaigns.nav)}</li>`
}
</ul>
<p class="who"><span>${user.fullName}</span> <span class="role">${vi.roles[user.principal.role]}</span></p>
<form method="post" action="/console/sign-out" class="sign-out">
<input type="hidden" name="_csrf" value="${csrf}">
<button type="submit">${vi.nav.signOut}</button>
</form>
</nav>
</header>`
    : ''
}
<main id="main" tabindex="-1">
${main}
</main>
${
  user
    ? html`<dialog id="shortcuts" aria-labelledby="shortcuts-title">
<h2 id="shortcuts-title">${vi.shortcuts.title}</h2>
<dl>${vi.shortcuts.list.map(([key, what]) => html`<dt><kbd>${key}</kbd></dt><dd>${what}</dd>`)}</dl>
<form method="dialog"><button type="submit">${vi.shortcuts.close}</button></form>
</dialog>`
    : ''
}
</body>
</html>`;
}

/** The unread count as the navigation shows it (also the fragment its poll swaps in). */
export const unreadBadge = (n: number) =>
  html`<span class="badge" id="unread" hx-get="/console/inbox/unread" hx-trigger="every 60s" hx-swap="outerHTML"><span class="visually-hidden">(${vi.nav.unread(n)})</span><span aria-hidden="true">${n > 99 ? '99+' : n}</span></span>`;

/**
 * A notice in the page: `role="alert"` for errors, `status` otherwise. `focus`: the page opens on it
 * (an error already there when the page loads is read out only when it takes the focus).
 */
export const notice = (kind: 'error' | 'info', text: string, focus = false) =>
  html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}"${focus ? html` tabindex="-1" autofocus` : ''}>${text}</p>`;
