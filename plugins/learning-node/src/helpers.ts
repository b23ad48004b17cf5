import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, InputError } from '@backstage/errors';
import type { IncidentWebhookRequest } from './extensions';

/**
 * HMAC-SHA256 of `content` under `key`, hex or base64 encoded.
 *
 * @public
 */
export function hmacSha256(
  key: string | Buffer,
  content: string | Buffer,
  encoding: 'hex' | 'base64',
): string {
  return createHmac('sha256', key).update(content).digest(encoding);
}

/**
 * Compares two secrets in constant time (for equal lengths), so a timing attack learns nothing.
 *
 * @public
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The delivery's body as JSON; a body that is not JSON is a 400.
 *
 * @public
 */
export function parseJsonBody(request: IncidentWebhookRequest): unknown {
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new InputError('The body is not valid JSON');
  }
}

/**
 * Refuses a signed timestamp (Unix seconds) further than `toleranceSeconds` from the time of receipt, so a captured
 * delivery cannot be replayed later.
 *
 * @public
 */
export function checkTimestampTolerance(
  timestamp: string | undefined,
  receivedAt: Date,
  toleranceSeconds: number,
): void {
  const seconds = Number(timestamp);
  if (!timestamp || !Number.isInteger(seconds)) {
    throw new AuthenticationError('The signed timestamp is missing');
  }
  if (Math.abs(receivedAt.getTime() / 1000 - seconds) > toleranceSeconds) {
    throw new AuthenticationError(
      `The signed timestamp is more than ${toleranceSeconds} seconds from now`,
    );
  }
}

/**
 * The Learning Loop annotation that maps a tool's service id to a catalog entity, for tools whose own Backstage
 * plugin has none: `learning-loop.io/<source>-service-id`.
 *
 * @public
 */
export function learningServiceAnnotation(sourceId: string): string {
  return `learning-loop.io/${sourceId}-service-id`;
}

/**
 * A tool's time value as ISO 8601: ISO strings pass through; numbers are read as seconds, milliseconds or
 * nanoseconds since the epoch by their size. Anything else is undefined.
 *
 * @public
 */
export function toIsoTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : new Date(time).toISOString();
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    let ms = value;
    if (value > 1e17) ms = value / 1e6;
    else if (value < 1e11) ms = value * 1000;
    return new Date(Math.floor(ms)).toISOString();
  }
  return undefined;
}
