import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldProblem, problemType, serviceUnavailable } from './errors.ts';
import { isDatabaseUnavailable } from './pg-errors.ts';
import { apiSecurityHeaders } from './response-headers.ts';

type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  errors?: FieldProblem[];
};

const titles: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ',
  401: 'Chưa xác thực',
  403: 'Không có quyền',
  404: 'Không tìm thấy',
  405: 'Phương thức không được hỗ trợ',
  406: 'Định dạng không được hỗ trợ',
  409: 'Xung đột trạng thái',
  412: 'Phiên bản đã cũ',
  413: 'Dữ liệu gửi lên quá lớn',
  414: 'Đường dẫn quá dài',
  415: 'Kiểu nội dung không được hỗ trợ',
  429: 'Quá nhiều yêu cầu',
};

/** Fastify's own 4xx errors (bad JSON, too large, wrong content type…) told in Vietnamese. */
const fastifyDetails: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Nội dung JSON không hợp lệ.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Nội dung JSON rỗng.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Dữ liệu gửi lên vượt quá giới hạn cho phép.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Kiểu nội dung (Content-Type) không được hỗ trợ; hãy gửi application/json.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length không khớp với nội dung.',
  FST_ERR_BAD_URL: 'Đường dẫn có mã hoá (percent-encoding) không hợp lệ.',
  FST_ERR_MAX_PARAM_LENGTH: 'Tham số trên đường dẫn quá dài.',
};

const slugFor = (status: number) =>
  ({
    400: 'bad-request',
    404: 'not-found',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    429: 'rate-limited',
  })[status] ?? `http-${status}`;

export function toProblem(error: FastifyError | AppError | Error, request: FastifyRequest): Problem {
  const requestId = request.id;
  if (error instanceof AppError) {
    return {
      type: error.type,
      title: error.title,
      status: error.statusCode,
      detail: error.message,
      requestId,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (error.validationContext ?? ''),
      message: v.message ?? 'Không hợp lệ',
    }));
    return {
      type: problemType('validation'),
      title: 'Dữ liệu không hợp lệ',
      status: 400,
      detail: `Dữ liệu không hợp lệ (${error.validationContext ?? 'request'}): ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      requestId,
      errors,
    };
  }
  const status = (error as FastifyError).statusCode;
  if (!isResponseSerializationError(error) && status !== undefined && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    return {
      type: problemType(slugFor(status)),
      title: titles[status] ?? 'Yêu cầu không hợp lệ',
      status,
      detail: fastifyDetails[code] ?? error.message,
      requestId,
    };
  }
  if (isDatabaseUnavailable(error)) {
    const e = serviceUnavailable('Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau.');
    return { type: e.type, title: e.title, status: 503, detail: e.message, requestId };
  }
  return {
    type: problemType('internal'),
    title: 'Lỗi hệ thống',
    status: 500,
    detail: `Đã có lỗi phía máy chủ. Mã yêu cầu: ${requestId}.`,
    requestId,
  };
}

/**
 * Sends a problem. Its body is built here with fixed fields (toProblem), so it is serialised as it is,
 * whatever the route's response schema for that status says: /ready, say, describes its own 503 body,
 * and a 503 from load shedding or shutdown reaches it before its handler runs.
 */
function sendProblem(reply: FastifyReply, problem: Problem, headers?: Record<string, string>) {
  if (headers) reply.headers(headers);
  if (problem.status === 503) reply.header('retry-after', '5');
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(problem);
}

/** One error handler: problem+json for everything; 5xx details are logged, never sent. */
/** For Fastify's `frameworkErrors`: errors raised before routing (bad URL encoding, over-long params). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.headers(apiSecurityHeaders).header('x-request-id', request.id);
  return sendProblem(reply, toProblem(error, request));
}

/** Deliberate 503s with Retry-After: a shed request (overload.ts), a request while closing (drain.ts). */
const deliberate = new Set([problemType('overloaded'), problemType('draining')]);

export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const problem = toProblem(error, request);
    // A shed request (load shedding, overload.ts) or one that arrives while the API closes (drain.ts)
    // is a deliberate answer with Retry-After, not a failure: a warning, so that error-level lines
    // (and the alerts on them) stay for what broke.
    if (deliberate.has(problem.type))
      request.log.warn({ problem: problem.type, status: 503 }, 'request shed');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (problem.status !== 401 && problem.status !== 404)
      request.log.info({ problem: problem.type, status: problem.status }, 'request refused');
    return sendProblem(reply, problem, error instanceof AppError ? error.headers : undefined);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: problemType('not-found'),
      title: 'Không tìm thấy',
      status: 404,
      detail: `Không có đường dẫn ${request.method} ${request.url.split('?')[0]}.`,
      requestId: request.id,
    }),
  );
}
