import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * One log line per request, when it completes (Fastify's default is two: "incoming request" and
 * "request completed"), holding the request id, the request (method, redacted URL, address), the
 * status and the time taken.
 *
 * The line is written through a child logger without the redaction paths: its fields are fixed and
 * carry nothing to redact (the `req` serializer already masks phone numbers and secrets in the URL),
 * and path redaction would cost more than the rest of the line (about 20 µs, bench/HISTORY.md, bench/intake).
 * Errored requests keep Fastify's own line, redacted.
 */
export class RequestLogController extends LogController {
  #access: FastifyBaseLogger | undefined;

  attach(logger: FastifyBaseLogger) {
    this.#access = logger.child({}, { redact: { paths: [] } });
  }

  override incomingRequest() {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ) {
    if (error || !this.#access || this.isLogDisabled(request))
      return super.requestCompleted(error, request, reply, metadata);
    this.#access.info(
      { reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime },
      'request completed',
    );
  }
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

/** The request's id: the caller's X-Request-Id when short and of a safe alphabet, a new UUID otherwise. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && safeRequestId.test(header) ? header : crypto.randomUUID();
}
