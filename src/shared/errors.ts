/** One error family: every failure a client may see carries its HTTP status and problem type. */
export type FieldProblem = { path: string; message: string };

export class AppError extends Error {
  readonly statusCode: number;
  readonly type: string;
  readonly title: string;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    statusCode: number,
    type: string,
    title: string,
    detail: string,
    extra: { errors?: FieldProblem[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.type = type;
    this.title = title;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export const problemType = (slug: string) => `urn:pakn:problem:${slug}`;

export const badRequest = (detail: string, errors?: FieldProblem[]) =>
  new AppError(400, problemType('validation'), 'Dữ liệu không hợp lệ', detail, errors ? { errors } : {});

export const unauthorized = (detail = 'Cần đăng nhập hoặc API key hợp lệ.') =>
  new AppError(401, problemType('unauthorized'), 'Chưa xác thực', detail, {
    headers: { 'www-authenticate': 'Bearer' },
  });

export const forbidden = (detail = 'Bạn không có quyền thực hiện thao tác này.') =>
  new AppError(403, problemType('forbidden'), 'Không có quyền', detail);

export const notFound = (detail = 'Không tìm thấy.') =>
  new AppError(404, problemType('not-found'), 'Không tìm thấy', detail);

export const conflict = (detail: string, slug = 'conflict') =>
  new AppError(409, problemType(slug), 'Xung đột trạng thái', detail);

export const preconditionFailed = (detail: string) =>
  new AppError(412, problemType('stale-version'), 'Phiên bản đã cũ', detail);

/** Load shedding (shared/overload.ts): the API is busier than it can serve in time. */
export const overloaded = (retryAfterSeconds: number) =>
  new AppError(
    503,
    problemType('overloaded'),
    'Hệ thống quá tải',
    `Hệ thống đang quá tải; vui lòng thử lại sau ${retryAfterSeconds} giây.`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );

/**
 * The API is closing (SIGTERM, a restart or a deploy): a deliberate answer with Retry-After, like a
 * shed request — the client sends it again, to this instance once it is back or to another.
 */
export const draining = () =>
  new AppError(
    503,
    problemType('draining'),
    'Dịch vụ tạm thời không sẵn sàng',
    'Máy chủ đang dừng để khởi động lại; vui lòng gửi lại yêu cầu.',
    { headers: { 'retry-after': '5' } },
  );

export const serviceUnavailable = (detail: string, cause?: unknown) =>
  new AppError(503, problemType('unavailable'), 'Dịch vụ tạm thời không sẵn sàng', detail, {
    headers: { 'retry-after': '5' },
    cause,
  });
