import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { ConsoleDeps } from '../context.ts';
import { html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { preSessionCookie, sameToken, secureEnough } from '../session.ts';
import { vi } from '../vi.ts';

const signInBody = z.object({
  username: z.string().trim().max(64).default(''),
  password: z.string().max(200).default(''),
  _csrf: z.string().max(100).default(''),
  next: z.string().max(500).optional(),
});

/** Only a console path of this site: never an address elsewhere (`//evil`, `/\evil`, `https:`). */
const safeNext = (next: string | undefined) =>
  next && /^\/console(\/[^\\]*)?(\?.*)?$/.test(next) && !next.startsWith('//') ? next : '/console';

function signInPage(
  reply: FastifyReply,
  status: number,
  o: { csrf: string; username?: string; message?: { kind: 'error' | 'info'; text: string }; next?: string },
) {
  const body = html`<div class="sign-in">
<h1>${vi.signIn.title}</h1>
${o.message ? notice(o.message.kind, o.message.text, o.message.kind === 'error') : ''}
<form method="post" action="/console/sign-in">
<input type="hidden" name="_csrf" value="${o.csrf}">
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
<p><label for="username">${vi.signIn.username}</label>
<input id="username" name="username" autocomplete="username" required${o.message?.kind === 'error' ? '' : html` autofocus`} value="${o.username ?? ''}"></p>
<p><label for="password">${vi.signIn.password}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">${vi.signIn.submit}</button></p>
</form>
</div>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page({ title: vi.signIn.title, user: null, csrf: null }, body).toString());
}

/** Sign-in and sign-out: the API's password check, lockout and per-address limit, a server-side session. */
export async function authPages(app: FastifyInstance, { sessions }: ConsoleDeps) {
  const open = { consolePublic: true };

  app.get('/sign-in', { config: open }, async (req, reply) => {
    const q = req.query as { next?: string; expired?: string; out?: string };
    if (req.consoleSession) return reply.redirect(safeNext(q.next), 303);
    const message = q.expired
      ? ({ kind: 'info', text: vi.signIn.expired } as const)
      : q.out
        ? ({ kind: 'info', text: vi.signIn.signedOut } as const)
        : undefined;
    return signInPage(reply, 200, {
      csrf: sessions.preSessionToken(req, reply),
      ...(message ? { message } : {}),
      ...(q.next ? { next: safeNext(q.next) } : {}),
    });
  });

  app.post('/sign-in', { config: open }, async (req, reply) => {
    const body = signInBody.safeParse(req.body ?? {});
    const input = body.success ? body.data : { username: '', password: '', _csrf: '', next: undefined };
    const again = (status: number, text: string) =>
      signInPage(reply, status, {
        csrf: sessions.preSessionToken(req, reply),
        username: input.username,
        message: { kind: 'error', text },
        ...(input.next ? { next: safeNext(input.next) } : {}),
      });
    if (!sameToken(req.cookies[preSessionCookie], input._csrf) || input._csrf === '')
      return again(403, vi.errors.csrf);
    if (!secureEnough(req)) return again(400, vi.signIn.needsHttps);
    if (!input.username || !input.password) return again(400, vi.signIn.required);
    try {
      await sessions.signIn(req, reply, input.username, input.password);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 401) return again(401, vi.signIn.wrong);
      if (err instanceof AppError && err.statusCode === 429) {
        reply.headers(err.headers ?? {});
        return again(429, vi.signIn.locked(Number(err.headers?.['retry-after'] ?? 60)));
      }
      throw err;
    }
    return reply.redirect(safeNext(input.next), 303);
  });

  app.post('/sign-out', { config: { consoleSubmitter: true } }, async (req, reply) => {
    await sessions.signOut(reply, req.consoleSession);
    return reply.redirect('/console/sign-in?out=1', 303);
  });
}
