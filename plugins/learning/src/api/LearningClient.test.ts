import { LearningClient, toQueryString } from './LearningClient';

describe('LearningClient', () => {
  it('builds query strings from defined values only', () => {
    expect(
      toQueryString({
        entityRef: 'component:default/a',
        severity: ['SEV1', 'SEV2'],
        kind: [],
        page: 2,
        status: undefined,
      }),
    ).toBe('?entityRef=component%3Adefault%2Fa&severity=SEV1%2CSEV2&page=2');
    expect(toQueryString({})).toBe('');
  });

  it('calls the learning backend and turns error responses into ResponseErrors', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ status: 'ok' }), { status: 200 }),
      )
      .mockResolvedValueOnce(
        new Response(
          JSON.stringify({
            error: { name: 'InputError', message: 'Invalid query: limit' },
            response: { statusCode: 400 },
          }),
          {
            status: 400,
            headers: { 'Content-Type': 'application/json' },
          },
        ),
      );
    const client = new LearningClient({
      discoveryApi: { getBaseUrl: async () => 'http://backend/api/learning' },
      fetchApi: { fetch },
    });
    await client.getEntitySummary('component:default/subtitle-service');
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/learning/entities/component/default/subtitle-service/summary',
      expect.objectContaining({ method: 'GET' }),
    );
    await expect(client.listIncidents({ limit: 1000 })).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 400,
    });
  });
});
