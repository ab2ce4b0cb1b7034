import { createHmac, timingSafeEqual } from 'node:crypto';

/** Characters of a reporter's token: 22 of base64url, 132 bits. */
const TOKEN_LENGTH = 22;

export type TrackingTokens = ReturnType<typeof createTrackingTokens>;

/**
 * The reporter's own tracking link (issue 13): a token that only the reporter's status messages carry,
 * which shows them their description and the answer given to them. It is the HMAC-SHA256, under a
 * server key kept in app_secrets, of a random nonce stored with the case — so the token itself is
 * stored nowhere (not with the case, not in the message log), cannot be guessed from the case code,
 * and the nonce alone, read from a copy of the database, does not give it either.
 */
export function createTrackingTokens(loadKey: () => Promise<string>) {
  // Read once, on first use: a process that starts while Postgres is away still starts.
  let key: Promise<string> | undefined;
  const keyOf = () => {
    key ??= loadKey().catch((err: unknown) => {
      key = undefined;
      throw err;
    });
    return key;
  };
  const tokenOf = async (nonce: string) =>
    createHmac('sha256', await keyOf())
      .update(`track:${nonce}`)
      .digest('base64url')
      .slice(0, TOKEN_LENGTH);
  return {
    tokenOf,
    /** Whether `token` is the reporter's token of a case with `nonce` (constant time). */
    async matches(nonce: string | null, token: string): Promise<boolean> {
      if (!nonce || token.length !== TOKEN_LENGTH) return false;
      return timingSafeEqual(Buffer.from(await tokenOf(nonce)), Buffer.from(token));
    },
  };
}

/**
 * The tracking link of a case: PUBLIC_TRACKING_URL with `{code}` (and `{token}`, where it has one)
 * replaced; without a `{token}` placeholder, the reporter's token goes in a `t` query parameter.
 */
export function trackingUrlFor(template: string, code: string, token?: string): string {
  const url = template.replaceAll('{code}', encodeURIComponent(code));
  if (url.includes('{token}')) return url.replaceAll('{token}', token ?? '');
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}t=${token}`;
}
