import { createTrackerHttp, TrackerHttpError } from './trackerHttp';

/** A fetch that answers from a script of responses and records what was asked. */
function scripted(responses: Array<() => Response>) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string> });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    return next();
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}

const json = (body: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(body), {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });

describe('createTrackerHttp', () => {
  it("waits as long as a 429's Retry-After says, then backs off exponentially, and gives up after its retries", async () => {
    const waits: number[] = [];
    const { fetchFn } = scripted([
      () =>
        json(
          { message: 'slow down' },
          { status: 429, headers: { 'retry-after': '7' } },
        ),
      () => json({ message: 'slow down' }, { status: 429 }),
      () => json({ ok: true }),
    ]);
    const http = createTrackerHttp({
      name: 'Tracker',
      fetch: fetchFn,
      sleep: async ms => {
        waits.push(ms);
      },
    });
    expect(await http.json('https://t.test/a')).toEqual({ ok: true });
    expect(waits).toEqual([7000, 2000]);

    const exhausted = scripted(
      Array.from(
        { length: 4 },
        () => () => json({ message: 'no' }, { status: 429 }),
      ),
    );
    const limited = createTrackerHttp({
      name: 'Tracker',
      fetch: exhausted.fetchFn,
      sleep: async () => {},
      retries: 3,
    });
    await expect(limited.json('https://t.test/a')).rejects.toMatchObject({
      name: 'TrackerHttpError',
      trackerStatus: 429,
      message: 'Tracker answered 429: no',
    });
    expect(exhausted.calls).toHaveLength(4);
  });

  it("treats GitHub's exhausted rate limit (403 with x-ratelimit-remaining: 0) as a rate limit until its reset", async () => {
    const waits: number[] = [];
    const reset = Math.floor(Date.now() / 1000) + 30;
    const { fetchFn } = scripted([
      () =>
        json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(reset),
            },
          },
        ),
      () => json({ ok: true }),
    ]);
    const http = createTrackerHttp({
      name: 'GitHub',
      fetch: fetchFn,
      maxWaitMs: 60_000,
      sleep: async ms => {
        waits.push(ms);
      },
    });
    await http.json('https://t.test/a');
    expect(waits[0]).toBeGreaterThan(25_000);
    expect(waits[0]).toBeLessThanOrEqual(30_000);
  });

  it('asks again with If-None-Match and answers a 304 from the kept body', async () => {
    const { calls, fetchFn } = scripted([
      () => json([{ n: 1 }], { headers: { etag: '"v1"' } }),
      () => new Response(null, { status: 304, headers: { etag: '"v1"' } }),
    ]);
    const http = createTrackerHttp({
      name: 'GitHub',
      fetch: fetchFn,
      headers: () => ({ authorization: 'token t' }),
    });
    expect(await http.json('https://t.test/list')).toEqual([{ n: 1 }]);
    expect(await http.json('https://t.test/list')).toEqual([{ n: 1 }]);
    expect(calls[0].headers['if-none-match']).toBeUndefined();
    expect(calls[1].headers).toMatchObject({
      'if-none-match': '"v1"',
      authorization: 'token t',
    });
  });

  it("refuses in the tracker's own words (Jira's errorMessages, GraphQL's errors), never with a status Backstage would pass on", async () => {
    const { fetchFn } = scripted([
      () => json({ errorMessages: ['Issue does not exist'] }, { status: 404 }),
    ]);
    const error: any = await createTrackerHttp({ name: 'Jira', fetch: fetchFn })
      .json('https://t.test/x')
      .catch((e: any) => e);
    expect(error).toBeInstanceOf(TrackerHttpError);
    expect(error.message).toBe('Jira answered 404: Issue does not exist');
    expect(error.status).toBeUndefined();
  });
});
