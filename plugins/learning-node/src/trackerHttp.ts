/**
 * Calls to a tracker's API within its rate limits: a `429` (or a `403` that says the rate limit is spent) is tried
 * again after the tracker's `Retry-After` or rate-limit reset, else after an exponential backoff; GETs are
 * conditional (`If-None-Match` with the ETag of the last answer, a `304` answers from it).
 *
 * @public
 */
export interface TrackerHttp {
  /** Sends a request and answers its JSON body; throws {@link TrackerHttpError} when the tracker refuses. */
  json<T = unknown>(
    url: string,
    init?: {
      method?: string;
      headers?: Record<string, string>;
      body?: unknown;
    },
  ): Promise<T>;
}

/**
 * A tracker's refusal, with its status and its own words.
 *
 * @public
 */
export class TrackerHttpError extends Error {
  /** `trackerStatus`, not `status`: Backstage's error handler would answer the caller with the tracker's status. */
  constructor(readonly trackerStatus: number, message: string) {
    super(message);
    this.name = 'TrackerHttpError';
  }
}

/**
 * Options of {@link createTrackerHttp}.
 *
 * @public
 */
export interface TrackerHttpOptions {
  /** The tracker's name, for messages: "GitHub". */
  name: string;
  /** Headers every request carries (credentials), computed per request. */
  headers?: (
    url: string,
  ) => Promise<Record<string, string>> | Record<string, string>;
  /** Tries after a rate limit before giving up; 3 unless told. */
  retries?: number;
  /** The longest wait before a retry, in milliseconds; 60 s unless told. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** How long a rate-limited answer asks to wait, in milliseconds, or undefined when it does not say. */
function waitOf(response: Response, now: number): number | undefined {
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - now);
  }
  const reset = response.headers.get('x-ratelimit-reset');
  if (reset && response.headers.get('x-ratelimit-remaining') === '0') {
    const seconds = Number(reset);
    // GitHub sends epoch seconds
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000 - now);
  }
  return undefined;
}

const rateLimited = (response: Response) =>
  response.status === 429 ||
  (response.status === 403 &&
    response.headers.get('x-ratelimit-remaining') === '0');

/**
 * Creates a {@link TrackerHttp}.
 *
 * @public
 */
export function createTrackerHttp(options: TrackerHttpOptions): TrackerHttp {
  const doFetch = options.fetch ?? fetch;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));
  const retries = options.retries ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const cached = new Map<string, { etag: string; body: unknown }>();
  return {
    async json<T>(
      url: string,
      init: {
        method?: string;
        headers?: Record<string, string>;
        body?: unknown;
      } = {},
    ): Promise<T> {
      const method = init.method ?? 'GET';
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(await options.headers?.(url)),
        ...init.headers,
      };
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const known = method === 'GET' ? cached.get(url) : undefined;
      if (known) headers['if-none-match'] = known.etag;
      for (let attempt = 0; ; attempt++) {
        const response = await doFetch(url, {
          method,
          headers,
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        if (rateLimited(response) && attempt < retries) {
          const wait = Math.min(
            maxWaitMs,
            waitOf(response, Date.now()) ?? 1000 * 2 ** attempt,
          );
          await response.arrayBuffer().catch(() => undefined);
          await sleep(wait);
          continue;
        }
        if (response.status === 304 && known) return known.body as T;
        const text = await response.text();
        if (!response.ok) {
          let said = text.slice(0, 300);
          try {
            const parsed = JSON.parse(text);
            said =
              parsed.message ??
              parsed.errorMessages?.join('; ') ??
              parsed.errors?.[0]?.message ??
              said;
          } catch {
            // not JSON: the text as it came
          }
          throw new TrackerHttpError(
            response.status,
            `${options.name} answered ${response.status}${
              said ? `: ${said}` : ''
            }`,
          );
        }
        const body = text ? JSON.parse(text) : undefined;
        const etag = response.headers.get('etag');
        if (method === 'GET' && etag) {
          cached.delete(url);
          cached.set(url, { etag, body });
          // the oldest answers go first: the reconciliation asks for few URLs, again and again
          if (cached.size > 500) cached.delete(cached.keys().next().value!);
        }
        return body as T;
      }
    },
  };
}
