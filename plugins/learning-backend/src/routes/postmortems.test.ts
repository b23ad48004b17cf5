import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { learningPlugin } from '../plugin';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const owned = 'component:default/subtitle-service';
const owner = mockCredentials.user.header('user:default/olive');
const participant = mockCredentials.user.header('user:default/pat');
const stranger = mockCredentials.user.header('user:default/sam');

const permissions = mockServices.permissions.mock({
  // everyone reads every catalog entity
  authorizeConditional: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorize: async (requests, options) => {
    const user = (
      (options as any).credentials.principal as { userEntityRef?: string }
    ).userEntityRef;
    return requests.map(() => ({
      result:
        user === 'user:default/olive'
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    }));
  },
});

const config = {
  learning: {
    postmortems: {
      templates: [
        {
          id: 'security',
          title: 'Security event review',
          kinds: ['security-event'],
          sections: [{ field: 'summary', title: 'Summary', required: true }],
        },
        {
          id: 'standard',
          title: 'Standard review',
          sections: [
            {
              field: 'summary',
              title: 'Summary',
              prompt: 'What happened?',
              required: true,
            },
            { field: 'lessons', title: 'Lessons', required: true },
            { field: 'actionItems', title: 'Action items', required: false },
          ],
        },
      ],
    },
  },
};

describe.each(databases.eachSupportedId())(
  'postmortem workflow on %p',
  databaseId => {
    let server: any;
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          learningPlugin,
          mockServices.rootConfig.factory({ data: config }),
          mockServices.database.factory({ knex }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          permissions.factory,
          catalogServiceMock.factory({ entities: [] }),
        ],
      }));
    });

    const api = (method: 'get' | 'post' | 'patch', path: string, who = owner) =>
      request(server)[method](`/api/learning${path}`).set('Authorization', who);
    async function newPostmortem(kind = 'incident') {
      const incident = await api('post', '/incidents').send({
        title: 'Vendor outage',
        kind,
        severity: 'SEV2',
        entityRefs: [owned],
        startedAt: '2026-11-01T10:00:00Z',
        resolvedAt: '2026-11-01T12:00:00Z',
      });
      const pm = await api('post', '/postmortems').send({
        title: 'Review',
        incidentIds: [incident.body.id],
        participants: [{ entityRef: 'user:default/pat', role: 'responder' }],
      });
      expect(pm.status).toBe(201);
      return pm.body;
    }

    it('starts from the template matching the incident, and serves the templates', async () => {
      expect((await newPostmortem()).templateId).toBe('standard');
      expect((await newPostmortem('security-event')).templateId).toBe(
        'security',
      );
      const settings = await api('get', '/settings');
      expect(settings.body.templates.map((t: any) => t.id)).toEqual([
        'security',
        'standard',
      ]);
      expect(settings.body.contributingFactorCategories).toContain('capacity');
      expect(settings.body.failureModes).toContain('dependency-timeout');
      expect(settings.body.effectivenessWatchDays).toBe(90);
      const unknown = await api('post', '/postmortems').send({
        title: 'x',
        incidentIds: [(await newPostmortem()).incidentIds[0]],
        templateId: 'nope',
      });
      expect(unknown.status).toBe(400);
    });

    it('moves draft → in review → published only when the rules hold, and records who and when', async () => {
      let pm = await newPostmortem();
      const early = await api('patch', `/postmortems/${pm.id}`).send({
        version: pm.version,
        status: 'in-review',
      });
      expect(early.status).toBe(400);
      expect(early.body.error.message).toMatch(
        /required sections first: Summary, Lessons/,
      );

      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          summary: 'The on-call engineer failed to notice the queue.',
          lessons: 'Queue age needs an alert.',
        })
      ).body;
      expect(
        (
          await api('patch', `/postmortems/${pm.id}`).send({
            version: pm.version,
            status: 'published',
          })
        ).body.error.message,
      ).toMatch(/cannot move to published/);
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'in-review',
        })
      ).body;
      expect(pm.status).toBe('in-review');

      const noFollowUp = await api('patch', `/postmortems/${pm.id}`).send({
        version: pm.version,
        status: 'published',
      });
      expect(noFollowUp.status).toBe(400);
      await api('post', '/actions').send({
        entityRef: owned,
        postmortemId: pm.id,
        title: 'Alert on queue age',
        owner: 'group:default/t',
      });

      const blamed = await api('patch', `/postmortems/${pm.id}`).send({
        version: pm.version,
        status: 'published',
      });
      expect(blamed.status).toBe(400);
      expect(blamed.body.error.message).toMatch(
        /blameless check found 1 phrase\(s\) \("The on-call engineer failed to" in summary\)/,
      );

      const acknowledged = await api('patch', `/postmortems/${pm.id}`).send({
        version: pm.version,
        status: 'published',
        acknowledgeBlameFindings: true,
      });
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body).toMatchObject({
        status: 'published',
        blameAcknowledgedBy: 'user:default/olive',
      });
      expect(acknowledged.body.publishedAt).toBeDefined();
      expect(
        (
          await api('patch', `/postmortems/${pm.id}`).send({
            version: acknowledged.body.version,
            status: 'draft',
          })
        ).status,
      ).toBe(400);

      const history = await api('get', `/postmortems/${pm.id}/history`);
      const moves = history.body.items.flatMap((h: any) =>
        h.changes
          .filter((c: any) => c.field === 'status')
          .map((c: any) => [c.from, c.to, h.actor]),
      );
      expect(moves).toEqual([
        ['draft', 'in-review', 'user:default/olive'],
        ['in-review', 'published', 'user:default/olive'],
      ]);
    });

    it('publishes a clean review without acknowledgement, and goes back from review to draft', async () => {
      let pm = await newPostmortem();
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          summary: 'Queue age grew unnoticed.',
          lessons: 'Alert on it.',
          noActionReason: 'Already fixed by the vendor.',
        })
      ).body;
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'in-review',
        })
      ).body;
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'draft',
        })
      ).body;
      expect(pm.status).toBe('draft');
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'in-review',
        })
      ).body;
      const published = await api('patch', `/postmortems/${pm.id}`).send({
        version: pm.version,
        status: 'published',
      });
      expect(published.status).toBe(200);
      expect(published.body.blameAcknowledgedBy).toBeUndefined();
    });

    it('lets listed participants edit but not publish, and nobody else', async () => {
      let pm = await newPostmortem();
      const edited = await api(
        'patch',
        `/postmortems/${pm.id}`,
        participant,
      ).send({
        version: pm.version,
        summary: 'Written by a responder.',
        lessons: 'x',
        noActionReason: 'none',
      });
      expect(edited.status).toBe(200);
      pm = edited.body;
      expect(
        (
          await api('patch', `/postmortems/${pm.id}`, stranger).send({
            version: pm.version,
            summary: 'Hijack',
          })
        ).status,
      ).toBe(403);
      pm = (
        await api('patch', `/postmortems/${pm.id}`, participant).send({
          version: pm.version,
          status: 'in-review',
        })
      ).body;
      const publish = await api(
        'patch',
        `/postmortems/${pm.id}`,
        participant,
      ).send({ version: pm.version, status: 'published' });
      expect(publish.status).toBe(403);
      expect((await api('get', `/postmortems/${pm.id}`)).body.status).toBe(
        'in-review',
      );
    });

    it('keeps every save as a revision with author, time and content', async () => {
      let pm = await newPostmortem();
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          summary: 'First draft.',
        })
      ).body;
      pm = (
        await api('patch', `/postmortems/${pm.id}`, participant).send({
          version: pm.version,
          summary: 'Second draft.',
        })
      ).body;
      const revisions = await api('get', `/postmortems/${pm.id}/revisions`);
      expect(
        revisions.body.items.map((r: any) => [r.version, r.author]),
      ).toEqual([
        [3, 'user:default/pat'],
        [2, 'user:default/olive'],
        [1, 'user:default/olive'],
      ]);
      const second = await api('get', `/postmortems/${pm.id}/revisions/2`);
      expect(second.body.content.summary).toBe('First draft.');
      expect(
        (await api('get', `/postmortems/${pm.id}/revisions/9`)).status,
      ).toBe(404);
    });

    it('keeps one revision per editing session, not one per autosave', async () => {
      let pm = await newPostmortem();
      for (const text of ['W', 'Wh', 'What', 'What happened.']) {
        pm = (
          await api('patch', `/postmortems/${pm.id}`).send({
            version: pm.version,
            summary: text,
          })
        ).body;
      }
      pm = (
        await api('patch', `/postmortems/${pm.id}`, participant).send({
          version: pm.version,
          impact: 'Subtitles late.',
        })
      ).body;
      const revisions = await api('get', `/postmortems/${pm.id}/revisions`);
      expect(
        revisions.body.items.map((r: any) => [r.version, r.author]),
      ).toEqual([
        [6, 'user:default/pat'],
        [5, 'user:default/olive'],
        [1, 'user:default/olive'],
      ]);
      const session = await api('get', `/postmortems/${pm.id}/revisions/5`);
      expect(session.body.content.summary).toBe('What happened.');
      expect(
        (await api('get', `/postmortems/${pm.id}/revisions/3`)).status,
      ).toBe(404);
    });

    it('takes ratings from participants of published reviews only', async () => {
      let pm = await newPostmortem();
      expect(
        (
          await api('post', `/postmortems/${pm.id}/feedback`, participant).send(
            { rating: 5 },
          )
        ).status,
      ).toBe(400);
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          summary: 's',
          lessons: 'l',
          noActionReason: 'n',
          participants: [
            { entityRef: 'user:default/pat', role: 'responder' },
            { entityRef: 'user:default/olive', role: 'facilitator' },
          ],
        })
      ).body;
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'in-review',
        })
      ).body;
      pm = (
        await api('patch', `/postmortems/${pm.id}`).send({
          version: pm.version,
          status: 'published',
        })
      ).body;
      expect(
        (
          await api('post', `/postmortems/${pm.id}/feedback`, stranger).send({
            rating: 1,
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await api('post', `/postmortems/${pm.id}/feedback`, participant).send(
            { rating: 6 },
          )
        ).status,
      ).toBe(400);
      await api('post', `/postmortems/${pm.id}/feedback`, participant).send({
        rating: 3,
        comment: 'Too long',
      });
      await api('post', `/postmortems/${pm.id}/feedback`, participant).send({
        rating: 4,
        comment: 'Useful after all',
      });
      const rated = await api(
        'post',
        `/postmortems/${pm.id}/feedback`,
        owner,
      ).send({ rating: 5 });
      expect(rated.body.feedback).toMatchObject({ count: 2, average: 4.5 });
      expect(
        rated.body.feedback.entries.map((e: any) => [
          e.participant,
          e.rating,
          e.comment,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['user:default/pat', 4, 'Useful after all'],
          ['user:default/olive', 5, undefined],
        ]),
      );
    });
  },
);
