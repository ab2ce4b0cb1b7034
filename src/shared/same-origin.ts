/** Methods that change nothing: never refused for their origin. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request may change state by where it comes from (a cross-site request forgery guard for
 * pages a browser signs into, like the queue dashboard with its cached Basic credentials). A browser
 * says where a request comes from: `Sec-Fetch-Site` (same-origin, or none when the user typed the
 * address) or, failing that, `Origin`, whose host must be the request's own. A request with neither
 * header comes from no browser page, so no other site can have sent it.
 */
export function mayChangeState(req: {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}): boolean {
  if (safeMethods.has(req.method.toUpperCase())) return true;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
