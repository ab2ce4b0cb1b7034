import { createHash } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { AppError, problemType } from '../../shared/errors.ts';
import { isStorable } from '../../shared/http.ts';
import type { Queues } from '../../shared/queues.ts';
import { mayChangeState } from '../../shared/same-origin.ts';
import type { AuthService } from '../auth/auth-service.ts';

const QUEUE_BOARD_PATH = '/admin/queues';

/** A verified credential is trusted this long, so the dashboard's polling does not hash on every call. */
const VERIFIED_TTL_MS = 60_000;

function parseBasic(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,400})$/i.exec(header ?? '');
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The queue dashboard (Bull Board) at /admin/queues, for admins only. Browsers cannot send the API's
 * bearer tokens to a page, so it asks for HTTP Basic credentials, checked against an active admin's
 * password, through the same sign-in as POST /api/v1/auth/token (the username in any case, the same
 * per-username lockout). Each credential check (not each dashboard call) also counts against a
 * per-address limit.
 */
export const queueBoard: FastifyPluginAsync<{
  queues: Queues;
  auth: Pick<AuthService, 'authenticate'>;
  checksPerMinute: number;
}> = async (app, opts) => {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    // The tick's queue is read-only here: removing its job scheduler would stop the escalation
    // scheduler until a worker notices (it checks every tick).
    queues: Object.entries(opts.queues).map(
      ([name, q]) => new BullMQAdapter(q, { readOnlyMode: name === 'sweeps' }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'pakn – hàng đợi' } },
  });

  const verified = new LRUCache<string, true>({ max: 100, ttl: VERIFIED_TTL_MS });
  const countCheck = app.createRateLimit({
    max: opts.checksPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => `queues-login:${req.ip}`,
  });

  const titles = { 401: 'Chưa xác thực', 403: 'Không có quyền', 429: 'Quá nhiều yêu cầu' } as const;
  const types = { 401: 'unauthorized', 403: 'forbidden', 429: 'rate-limited' } as const;
  const refuse = (
    reply: FastifyReply,
    status: 401 | 403 | 429,
    detail: string,
    headers: Record<string, string> = {},
  ) =>
    reply
      .code(status)
      .headers(headers)
      .type('application/problem+json')
      .send({
        type: problemType(types[status]),
        title: titles[status],
        status,
        detail,
        requestId: reply.request.id,
      });

  // Answered here rather than thrown: Bull Board installs its own error handler in its context.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // A browser holding the admin's Basic credentials would send them with another site's request too.
    if (!mayChangeState(req))
      return refuse(reply, 403, 'Thao tác trên bảng hàng đợi chỉ được gửi từ chính trang này.');
    const challenge = { 'www-authenticate': 'Basic realm="pakn queues", charset="UTF-8"' };
    const header = req.headers.authorization;
    const credentials = parseBasic(header);
    if (!credentials || !header || !isStorable(credentials.username))
      return refuse(reply, 401, 'Cần đăng nhập tài khoản quản trị.', challenge);
    const key = createHash('sha256').update(header).digest('hex');
    if (verified.has(key)) return;

    const limit = await countCheck(req);
    if (!limit.isAllowed && limit.isExceeded)
      return refuse(reply, 429, 'Quá nhiều lần đăng nhập; thử lại sau.', {
        'retry-after': String(limit.ttlInSeconds),
      });
    try {
      const user = await opts.auth.authenticate(credentials.username, credentials.password, req.log, req.ip);
      if (user.role !== 'admin')
        return refuse(
          reply,
          401,
          'Tên đăng nhập hoặc mật khẩu không đúng, hoặc không phải quản trị.',
          challenge,
        );
    } catch (err) {
      // The sign-in's own refusals (wrong password: 401; locked username: 429 with Retry-After).
      if (err instanceof AppError && (err.statusCode === 401 || err.statusCode === 429))
        return refuse(
          reply,
          err.statusCode,
          err.statusCode === 401
            ? 'Tên đăng nhập hoặc mật khẩu không đúng, hoặc không phải quản trị.'
            : err.message,
          err.statusCode === 401 ? challenge : (err.headers ?? {}),
        );
      throw err;
    }
    verified.set(key, true);
  });

  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
};
