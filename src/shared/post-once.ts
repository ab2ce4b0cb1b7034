export type SendResult =
  | { ok: true; statusCode: number }
  /** `final`: trying again cannot help (the receiver refused the request itself). */
  | { ok: false; statusCode: number | null; error: string; final?: boolean };

const clip = (s: string, max = 500) => (s.length > max ? `${s.slice(0, max)}…` : s);

/** Reads at most `max` bytes of a response body as text, then drops the rest. */
async function snippet(res: Response, max = 300): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short tells nothing more than the status does.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8').replace(/\s+/g, ' ').trim();
}

/**
 * One POST to a receiver (a webhook, an SMS gateway), redirects not followed. Never throws: network
 * errors and timeouts come back as results, with at most a short snippet of an error response.
 */
export async function postOnce(req: {
  url: string;
  body: Buffer;
  headers: Record<string, string>;
  timeoutMs: number;
}): Promise<SendResult> {
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      body: req.body,
      headers: req.headers,
      // A redirect could point anywhere (and would drop the body on 303): it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel().catch(() => {});
      return { ok: true, statusCode: res.status };
    }
    const text = res.status >= 300 && res.status < 400 ? 'redirect not followed' : await snippet(res);
    return { ok: false, statusCode: res.status, error: clip(`HTTP ${res.status}${text ? `: ${text}` : ''}`) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `timeout after ${req.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, statusCode: null, error: clip(error) };
  }
}
