/** Postgres SQLSTATE helpers, so services can turn constraint violations into client errors. */
type PgError = { code?: string; constraint?: string };

export const isUniqueViolation = (err: unknown, constraint?: string): boolean =>
  (err as PgError)?.code === '23505' &&
  (constraint === undefined || (err as PgError).constraint === constraint);

/** Errors that mean "the database is not reachable right now" rather than "the request is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (!e) return false;
  if (typeof e.code === 'string' && /^(08|57P0[1-3]|53300)/.test(e.code)) return true;
  if (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT' || e.code === 'EPIPE')
    return true;
  const msg = e.message ?? '';
  // "… is not queryable": a query on a checked-out client whose connection has just dropped.
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|is not queryable/i.test(
    msg,
  );
}
