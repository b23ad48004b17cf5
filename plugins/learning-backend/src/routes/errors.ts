import type { ErrorRequestHandler } from 'express';
import { ServiceUnavailableError, serializeError } from '@backstage/errors';
import { StaleVersionError } from '../lib/errors';

/** A stale update answers 409 with the standard error body plus the current record, so the client can re-apply. */
export const staleVersionHandler: ErrorRequestHandler = (
  error,
  req,
  res,
  next,
) => {
  if (!(error instanceof StaleVersionError)) {
    next(error);
    return;
  }
  res.status(409).json({
    error: serializeError(error),
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 409 },
    current: error.current,
  });
};

/** PostgreSQL and driver signs that the database is down or restarting, rather than that the request was wrong. */
const DATABASE_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Whether an error means the database cannot be reached just now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; name?: string; message?: string };
  return (
    (!!e?.code && DATABASE_UNAVAILABLE_CODES.has(e.code)) ||
    e?.name === 'KnexTimeoutError' ||
    /Connection terminated|connection is closed|Client has encountered a connection error|Unable to acquire a connection|terminating connection due to administrator command/i.test(
      e?.message ?? '',
    )
  );
}

/** Whether a service Learning Loop calls (the catalog) failed on its side, as it does while its database is down. */
export function isUpstreamUnavailable(error: unknown): boolean {
  const e = error as { name?: string; statusCode?: number };
  return e?.name === 'ResponseError' && (e.statusCode ?? 0) >= 500;
}

/**
 * An outage answers 503 (retry later), not 500: the database or a service this request needed is down, nothing was
 * written, and the request may be repeated.
 */
export const unavailableHandler: ErrorRequestHandler = (
  error,
  _req,
  _res,
  next,
) => {
  if (isDatabaseUnavailable(error)) {
    next(
      new ServiceUnavailableError(
        'The Learning Loop database is unavailable; nothing was changed. Try again shortly.',
        error,
      ),
    );
  } else if (isUpstreamUnavailable(error)) {
    next(
      new ServiceUnavailableError(
        'A service Learning Loop depends on (the catalog) is unavailable; nothing was changed. Try again shortly.',
        error,
      ),
    );
  } else {
    next(error);
  }
};
