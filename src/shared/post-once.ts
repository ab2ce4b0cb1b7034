import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { bareHost, guardedLookup, isPublicAddress } from './address-guard.ts';

export type SendResult =
  | { ok: true; statusCode: number }
  /** `final`: trying again cannot help (the receiver refused the request itself). */
  | { ok: false; statusCode: number | null; error: string; final?: boolean };

/**
 * A short reason of ours for a failed connection. Never the receiver's words: a receiver that is not
 * what it claims (an internal service behind a webhook URL) must not be able to answer through pakn's
 * delivery log, and errors must not tell an open port from a closed one beyond what this says.
 */
function reasonOf(err: NodeJS.ErrnoException, timeoutMs: number): { error: string; final?: boolean } {
  if (err.name === 'AbortError' || err.name === 'TimeoutError')
    return { error: `timeout after ${timeoutMs} ms` };
  const code = err.code ?? '';
  if (code === 'EADDRNOTPUBLIC') return { error: 'refused: the address is not public', final: true };
  if (code === 'ECONNREFUSED') return { error: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { error: 'host not found' };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { error: 'connection reset' };
  if (code.startsWith('HPE_')) return { error: 'not an HTTP response' };
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return { error: 'TLS error' };
  return { error: 'network error' };
}

/** Sockets kept per kind of connection: a guarded one is never handed to an unguarded request. */
const agents = {
  plain: { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) },
  guarded: { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) },
};

/**
 * One POST to a receiver (a webhook, an SMS gateway), redirects not followed, the response's body
 * never read. Never throws: network errors and timeouts come back as results. With `publicOnly`, the
 * connection goes to public addresses only, the one checked being the one connected to.
 */
export function postOnce(req: {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Connect to public addresses only (address-guard.ts): an IP literal is checked, a name resolved. */
  publicOnly?: boolean;
}): Promise<SendResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({ ok: false, statusCode: null, error: 'invalid URL', final: true });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      resolve({ ok: false, statusCode: null, error: 'refused: only http and https', final: true });
      return;
    }
    const host = bareHost(url.hostname);
    if (req.publicOnly && isIP(host) !== 0 && !isPublicAddress(host)) {
      resolve({
        ok: false,
        statusCode: null,
        ...reasonOf(Object.assign(new Error(host), { code: 'EADDRNOTPUBLIC' }), req.timeoutMs),
      });
      return;
    }
    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(req.body.length) },
        agent: agents[req.publicOnly ? 'guarded' : 'plain'][url.protocol],
        signal: AbortSignal.timeout(req.timeoutMs),
        ...(req.publicOnly ? { lookup: guardedLookup } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        if (status >= 200 && status < 300) resolve({ ok: true, statusCode: status });
        else if (status >= 300 && status < 400)
          resolve({ ok: false, statusCode: status, error: 'redirect not followed' });
        else resolve({ ok: false, statusCode: status, error: `HTTP ${status}` });
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, statusCode: null, ...reasonOf(err, req.timeoutMs) }),
    );
    request.end(req.body);
  });
}
