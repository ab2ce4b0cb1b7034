import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Container } from '../container.ts';
import type { SafeHtml } from './html.ts';
import { page, type Shell } from './layout.ts';
import type { ConsoleSession, ConsoleSessions } from './session.ts';

export type ConsoleDeps = { container: Container; sessions: ConsoleSessions };

/** The signed-in staff member of a console route that requires one (the plugin's hook made sure). */
export function sessionOf(req: FastifyRequest): ConsoleSession {
  if (!req.consoleSession) throw new Error('console route without a session');
  return req.consoleSession;
}

/** How many unread notifications the navigation shows (at most 100 counted: "99+"). */
export const unreadCount = (container: Container, s: ConsoleSession): Promise<number> =>
  container.notifications.unreadCount(s.principal, 100);

/** Sends a whole page in the shell, with the user's name and unread count in the navigation. */
export async function sendPage(
  req: FastifyRequest,
  reply: FastifyReply,
  container: Container,
  shell: { title: string; current?: Shell['current']; status?: number },
  main: SafeHtml,
) {
  const s = sessionOf(req);
  const [me, unread] = await Promise.all([
    container.directory.me(s.principal, []),
    unreadCount(container, s),
  ]);
  return reply
    .code(shell.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(
      page(
        {
          title: shell.title,
          current: shell.current,
          csrf: s.csrf,
          user: { principal: s.principal, fullName: me.fullName, unread },
        },
        main,
      ).toString(),
    );
}

/** Sends a fragment (an htmx swap). */
export const sendFragment = (reply: FastifyReply, fragment: SafeHtml, status = 200) =>
  reply.code(status).type('text/html; charset=utf-8').send(fragment.toString());

/** Every active category, by name: a ward's list for its selects (tens, not thousands). */
export async function activeCategories(container: Container) {
  const all: { code: string; name: string; active: boolean }[] = [];
  let cursor: string | undefined;
  do {
    const page = await container.directory.listCategories({
      limit: 100,
      active: true,
      ...(cursor ? { cursor } : {}),
    });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all.sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/** What a schema found wrong, as one Vietnamese sentence (the messages are zod's, in Vietnamese). */
export const issuesText = (error: { issues: { message: string }[] }) =>
  error.issues.map((i) => i.message).join('; ');
