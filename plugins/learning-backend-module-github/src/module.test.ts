import { createHmac } from 'node:crypto';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import learningPlugin from '@learning-loop/plugin-learning-backend';
import request from 'supertest';
import success from './__fixtures__/deployment-status-success.json';
import learningModuleGitHub from './index';

jest.setTimeout(60_000);

const SECRET = 'github-webhook-secret';
const OLD_SECRET = 'github-previous-secret';
const user = mockCredentials.user.header('user:default/olive');
const checkout = 'component:default/checkout';

const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Another status of the same deployment. */
const statusOf = (state: string, createdAt: string, repo = 'acme/checkout') =>
  JSON.stringify({
    ...success,
    deployment_status: {
      ...success.deployment_status,
      id: success.deployment_status.id + state.length,
      state,
      created_at: createdAt,
    },
    repository: { ...success.repository, full_name: repo },
  });

describe('GitHub deployment source module', () => {
  let server: any;
  beforeAll(async () => {
    ({ server } = await startTestBackend({
      features: [
        learningPlugin,
        learningModuleGitHub,
        mockServices.rootConfig.factory({
          data: {
            learning: {
              ingest: {
                maxBodyBytes: 8 * 1024,
                github: { secret: SECRET, previousSecrets: [OLD_SECRET] },
              },
            },
          },
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'checkout',
                namespace: 'default',
                annotations: { 'github.com/project-slug': 'acme/checkout' },
              },
              spec: { type: 'service', owner: 'group:default/payments' },
            },
          ],
        }),
      ],
    }));
  });

  const deliver = (
    body: string,
    options: { delivery: string; event?: string; signature?: string | null },
  ) => {
    const call = request(server)
      .post('/api/learning/ingest/github')
      .set('content-type', 'application/json')
      .set('x-github-event', options.event ?? 'deployment_status')
      .set('x-github-delivery', options.delivery);
    if (options.signature !== null)
      call.set('x-hub-signature-256', options.signature ?? sign(body));
    return call.send(body);
  };
  const deployments = async () =>
    (
      await request(server)
        .get(`/api/learning/deployments?entityRef=${checkout}`)
        .set('Authorization', user)
    ).body.items;

  it('refuses a missing or wrong signature and stores nothing', async () => {
    const body = statusOf('success', '2026-11-20T10:14:05Z');
    expect(
      (await deliver(body, { delivery: 'g-0', signature: null })).status,
    ).toBe(401);
    expect(
      (await deliver(body, { delivery: 'g-0', signature: sign(body, 'nope') }))
        .status,
    ).toBe(401);
    expect(await deployments()).toEqual([]);
  });

  it('records a deployment from its statuses: in progress, then success; a replay changes nothing', async () => {
    const started = statusOf('in_progress', '2026-11-20T10:02:30Z');
    const first = await deliver(started, { delivery: 'g-1' });
    expect(first.status).toBe(200);
    expect(first.body.results[0]).toMatchObject({ outcome: 'created' });
    expect(await deployments()).toEqual([
      expect.objectContaining({
        externalId: 'acme/checkout#1466738',
        source: 'github',
        environment: 'production',
        version: 'v2.3.0',
        startedAt: '2026-11-20T10:02:11.000Z',
      }),
    ]);
    expect((await deployments())[0].outcome).toBeUndefined();

    const done = JSON.stringify(success);
    // signed with the previous secret while it is rotated
    await deliver(done, {
      delivery: 'g-2',
      signature: sign(done, OLD_SECRET),
    }).expect(200);
    const replay = await deliver(done, { delivery: 'g-2' });
    expect(replay.body.results[0].outcome).toBe('duplicate');
    expect(await deployments()).toEqual([
      expect.objectContaining({
        outcome: 'succeeded',
        finishedAt: '2026-11-20T10:14:05.000Z',
        url: 'https://github.com/acme/checkout/actions/runs/9921',
      }),
    ]);
  });

  it('takes a failure as failed, ignores pings and inactive statuses, refuses oversize bodies', async () => {
    const failed = JSON.stringify({
      ...JSON.parse(statusOf('failure', '2026-11-21T09:00:00Z')),
      deployment: { ...success.deployment, id: 1466800 },
    });
    await deliver(failed, { delivery: 'g-3' }).expect(200);
    expect((await deployments()).map((d: any) => d.outcome).sort()).toEqual([
      'failed',
      'succeeded',
    ]);
    const ping = JSON.stringify({ zen: 'Keep it logically awesome.' });
    const pinged = await deliver(ping, { delivery: 'g-4', event: 'ping' });
    expect(pinged.status).toBe(200);
    expect(pinged.body.results).toEqual([]);
    const inactive = statusOf('inactive', '2026-11-22T09:00:00Z');
    expect((await deliver(inactive, { delivery: 'g-5' })).body.results).toEqual(
      [],
    );
    const huge = JSON.stringify({ ...success, padding: 'x'.repeat(9000) });
    expect((await deliver(huge, { delivery: 'g-6' })).status).toBe(413);
    expect(await deployments()).toHaveLength(2);
  });

  it('keeps a deployment of a repository no entity claims for mapping', async () => {
    const other = statusOf(
      'success',
      '2026-11-20T11:00:00Z',
      'acme/unknown-repo',
    );
    const res = await deliver(other, { delivery: 'g-7' });
    expect(res.body.results[0].outcome).toBe('unmapped');
    const waiting = await request(server)
      .get('/api/learning/ingest-events?status=unmapped&source=github')
      .set('Authorization', user);
    expect(waiting.body.items).toEqual([
      expect.objectContaining({
        recordType: 'deployment',
        serviceName: 'acme/unknown-repo',
        services: expect.arrayContaining([
          { annotation: 'github.com/project-slug', value: 'acme/unknown-repo' },
        ]),
      }),
    ]);
  });
});
