import request from 'supertest';
import { routerApp } from '../__testUtils__/routerApp';
import { isDatabaseUnavailable } from './errors';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
    code: 'ECONNREFUSED',
  });

describe('a database outage', () => {
  it('is recognised from driver and PostgreSQL errors, and nothing else', () => {
    expect(isDatabaseUnavailable(refused())).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(
          new Error('terminating connection due to administrator command'),
          { code: '57P01' },
        ),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('Connection terminated unexpectedly')),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('Knex: Timeout acquiring a connection.'), {
          name: 'KnexTimeoutError',
        }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('duplicate key'), { code: '23505' }),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });

  it('answers 503 saying nothing was changed, where other failures stay 500', async () => {
    let failure: Error = refused();
    const { app } = await routerApp({
      // the first read of a request (the data revision) fails as the database is down
      revision: async () => {
        throw failure;
      },
      summaries: {
        gateFacts: async () => {
          throw failure;
        },
      },
    } as any);
    const outage = await request(app).get(
      '/gate/component/default/subtitle-service',
    );
    expect(outage.status).toBe(503);
    expect(outage.body.error).toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(
        /database is unavailable; nothing was changed/,
      ),
    });
    // the catalog failing on its side (its database is down too) is an outage as well
    failure = Object.assign(new Error('Request failed with 500'), {
      name: 'ResponseError',
      statusCode: 500,
    });
    const upstream = await request(app).get(
      '/gate/component/default/subtitle-service',
    );
    expect(upstream.status).toBe(503);
    expect(upstream.body.error.message).toMatch(/the catalog\) is unavailable/);
    failure = new Error('a bug');
    expect(
      (await request(app).get('/gate/component/default/subtitle-service'))
        .status,
    ).toBe(500);
  });
});
