import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type HTMLElement, parse } from 'node-html-parser';
import type { TestApp } from './app.ts';

/** The console through app.inject(): a signed-in staff member's cookie, and pages parsed as HTML. */

export type ConsoleUser = { cookies: Record<string, string>; csrf: string };

/** Signs in through the console's own form; fails loudly unless it redirects into the console. */
export async function signInConsole(t: TestApp, username: string, password: string): Promise<ConsoleUser> {
  const signInPage = await t.app.inject({
    method: 'GET',
    url: '/console/sign-in',
    remoteAddress: '127.0.0.1',
  });
  const pre = cookiesOf(signInPage);
  const csrf = parse(signInPage.body).querySelector('input[name=_csrf]')?.getAttribute('value') ?? '';
  const res = await t.app.inject({
    method: 'POST',
    url: '/console/sign-in',
    remoteAddress: '127.0.0.1',
    cookies: pre,
    ...form({ username, password, _csrf: csrf }),
  });
  if (res.statusCode !== 303)
    throw new Error(`console sign-in ${username}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookies = cookiesOf(res);
  const home = await t.app.inject({ method: 'GET', url: '/console', cookies, remoteAddress: '127.0.0.1' });
  const token = parse(home.body).querySelector('form[action="/console/sign-out"] input[name=_csrf]');
  return { cookies, csrf: token?.getAttribute('value') ?? '' };
}

export const cookiesOf = (res: LightMyRequestResponse): Record<string, string> =>
  Object.fromEntries(res.cookies.filter((c) => c.value !== '').map((c) => [c.name, c.value]));

/** A console request as the signed-in user (from loopback, as a browser on the same machine). */
export const asUser = (user: ConsoleUser, opts: InjectOptions): InjectOptions => ({
  remoteAddress: '127.0.0.1',
  ...opts,
  cookies: { ...user.cookies, ...(opts.cookies as Record<string, string> | undefined) },
});

export const htmlOf = (res: LightMyRequestResponse): HTMLElement => parse(res.body);

/** The text a person reads, whitespace collapsed. */
export const textOf = (el: HTMLElement | null | undefined) =>
  (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** A form post's body and content type, as a browser sends a plain form. */
export const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
