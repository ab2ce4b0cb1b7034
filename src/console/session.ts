import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../modules/auth/auth-service.ts';
import type { UserPrincipal } from '../modules/auth/principal.ts';

/**
 * The console's sign-in, carried by a cookie: the same server-side session (and the same signed token)
 * as an API sign-in, so logout, deactivation, a password or role change end it on every replica
 * (sessions.ts). `__Host-`: Secure, Path=/, no Domain; HttpOnly; SameSite=Lax. The token is renewed on
 * each page while the session lives; the session's idle and absolute limits still end it.
 */
export const sessionCookie = '__Host-pakn_session';
/** Before sign-in: the double-submit value of the sign-in form's anti-forgery field. */
export const preSessionCookie = '__Host-pakn_pre';

export type ConsoleSession = { principal: UserPrincipal; sessionId: string; csrf: string };

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const;

/** Plain HTTP is accepted only from the machine itself (development); elsewhere the cookie needs HTTPS. */
export const secureEnough = (req: FastifyRequest) =>
  req.protocol === 'https' || ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.ip);

export function createConsoleSessions(auth: AuthService) {
  return {
    /** The session of the request's cookie, if it is live; null otherwise (signed out, ended, forged). */
    async read(req: FastifyRequest): Promise<ConsoleSession | null> {
      const token = req.cookies[sessionCookie];
      if (!token) return null;
      const read = auth.readToken(token);
      if (!read) return null;
      const live = await auth.sessionLive(read.sessionId, read.principal.userId);
      if (!live) return null;
      return { ...read, csrf: auth.csrfFor(read.sessionId) };
    },

    async signIn(req: FastifyRequest, reply: FastifyReply, username: string, password: string) {
      const { accessToken } = await auth.login(username, password, req.log, req.ip);
      reply.setCookie(sessionCookie, accessToken, cookieOptions);
      reply.clearCookie(preSessionCookie, cookieOptions);
    },

    /** A fresh token for the same session, so that a day's work does not outlive the token's own hour. */
    renew(reply: FastifyReply, session: ConsoleSession) {
      reply.setCookie(sessionCookie, auth.reissue(session.principal, session.sessionId), cookieOptions);
    },

    async signOut(reply: FastifyReply, session: ConsoleSession | null) {
      if (session) await auth.logout(session.sessionId);
      reply.clearCookie(sessionCookie, cookieOptions);
    },

    /** The sign-in form's anti-forgery value: the cookie's, or a new one set now. */
    preSessionToken(req: FastifyRequest, reply: FastifyReply): string {
      const known = req.cookies[preSessionCookie];
      if (known && /^[A-Za-z0-9_-]{32,64}$/.test(known)) return known;
      const fresh = randomBytes(24).toString('base64url');
      reply.setCookie(preSessionCookie, fresh, cookieOptions);
      return fresh;
    },
  };
}

export type ConsoleSessions = ReturnType<typeof createConsoleSessions>;

export const sameToken = (a: string | undefined, b: string) =>
  a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
