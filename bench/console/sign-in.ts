/**
 * Signing in as staff do, through app.inject(): the console's sign-in form (its anti-forgery cookie and
 * field, from loopback, as a browser on the same machine) for a page session, and POST /api/v1/auth/token
 * for the API baselines' bearer token.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

const cookiesOf = (res: LightMyRequestResponse): Record<string, string> =>
  Object.fromEntries(res.cookies.filter((c) => c.value !== '').map((c) => [c.name, c.value]));

/** The console's cookies of a signed-in user; fails loudly unless the form redirects into the console. */
export async function signInConsole(
  app: FastifyInstance,
  username: string,
  password: string,
): Promise<Record<string, string>> {
  const form = await app.inject({ method: 'GET', url: '/console/sign-in', remoteAddress: '127.0.0.1' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const res = await app.inject({
    method: 'POST',
    url: '/console/sign-in',
    remoteAddress: '127.0.0.1',
    cookies: cookiesOf(form),
    payload: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (res.statusCode !== 303)
    throw new Error(`console sign-in ${username}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return cookiesOf(res);
}

/** A bearer token of the API, for the baselines. */
export async function apiToken(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { username, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return res.json().accessToken;
}
