import { createHmac } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { z } from 'zod';
import { roles } from '../../db/types.ts';
import type { UserPrincipal } from './principal.ts';

const claims = z.object({
  sub: z.string(),
  usr: z.string(),
  role: z.enum(roles),
  ward: z.string().nullable(),
  dept: z.string().nullable(),
  /** The server-side session (sessions.ts) the token belongs to. */
  sid: z.string().min(16).max(100),
});

export type TokenService = ReturnType<typeof createTokenService>;

/**
 * Short-lived HS256 access tokens. Verification accepts HS256 only, so `alg: none` never passes, nor
 * does an RS256/ES256 header hoping the secret is used as a public key; a token must carry `exp`
 * (every token issued here does), so a token without one never lives forever.
 */
export function createTokenService(deps: { secret: string; ttlSeconds: number }) {
  const sign = createSigner({ key: deps.secret, algorithm: 'HS256', expiresIn: deps.ttlSeconds * 1000 });
  const verify = createVerifier({
    key: deps.secret,
    algorithms: ['HS256'],
    requiredClaims: ['exp'],
    cache: 1000,
  });
  return {
    ttlSeconds: deps.ttlSeconds,
    issue(user: UserPrincipal, sessionId: string): string {
      return sign({
        sub: user.userId,
        usr: user.username,
        role: user.role,
        ward: user.wardId,
        dept: user.departmentId,
        sid: sessionId,
      });
    },
    /** The console's per-session anti-forgery token: an HMAC of the session id, nothing stored. */
    csrfFor(sessionId: string): string {
      return createHmac('sha256', deps.secret).update(`csrf:${sessionId}`).digest('base64url');
    },
    /**
     * The principal and session a token names, or null when it is forged, expired or malformed (a
     * token from before sessions, without `sid`, among them: its holder signs in again).
     */
    read(token: string): { principal: UserPrincipal; sessionId: string } | null {
      try {
        const c = claims.parse(verify(token));
        return {
          principal: {
            kind: 'user',
            userId: c.sub,
            username: c.usr,
            role: c.role,
            wardId: c.ward,
            departmentId: c.dept,
          },
          sessionId: c.sid,
        };
      } catch {
        return null;
      }
    },
  };
}
