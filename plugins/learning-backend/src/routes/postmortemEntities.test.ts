import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const subtitles = 'component:default/subtitle-service';
const orchestrator = 'component:default/translation-orchestrator';
// olive may write the subtitle service's records, dana the orchestrator's; services may write everything
const olive = mockCredentials.user.header('user:default/olive');
const dana = mockCredentials.user.header('user:default/dana');
const service = mockCredentials.service.header();
const writes: Record<string, string> = {
  'user:default/olive': subtitles,
  'user:default/dana': orchestrator,
};

const permissions = mockServices.permissions.mock({
  authorizeConditional: async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  authorize: async (requests, options) => {
    const principal = (options as any).credentials.principal as {
      type: string;
      userEntityRef?: string;
    };
    return requests.map((r: any) => ({
      result:
        principal.type === 'service' ||
        writes[principal.userEntityRef ?? ''] === r.resourceRef
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    }));
  },
});

describe.each(databases.eachSupportedId())(
  'a postmortem follows its incidents to other entities on %p',
  databaseId => {
    let server: any;
    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      // another principal's write (the service's) shows on the tab at once: the summary does not trail it here
      ({ server } = await startLearningBackend(knex, {
        permissions,
        config: { learning: { entitySummary: { maxLagSeconds: 0 } } },
      }));
    });

    const api = (
      method: 'get' | 'post' | 'patch' | 'delete',
      path: string,
      who: string,
    ) =>
      request(server)[method](`/api/learning${path}`).set('Authorization', who);
    const listed = async (entityRef: string) =>
      (
        await api(
          'get',
          `/postmortems?entityRef=${encodeURIComponent(entityRef)}`,
          olive,
        )
      ).body.items.map((p: any) => p.id);
    const draftsOnTab = async (entityRef: string) => {
      const [kind, rest] = entityRef.split(':');
      const [namespace, name] = rest.split('/');
      const summary = await api(
        'get',
        `/entities/${kind}/${namespace}/${name}/summary`,
        olive,
      );
      expect(summary.status).toBe(200);
      return summary.body.postmortems.draft;
    };

    it('moves the postmortem with an incident that changes entities, and back when it is deleted', async () => {
      const incident = (
        await api('post', '/incidents', olive).send({
          title: 'Subtitle renders stall',
          severity: 'SEV2',
          entityRefs: [subtitles],
          startedAt: '2026-11-01T10:00:00Z',
        })
      ).body;
      const other = (
        await api('post', '/incidents', olive).send({
          title: 'Second stall',
          severity: 'SEV3',
          entityRefs: [subtitles],
          startedAt: '2026-11-02T10:00:00Z',
        })
      ).body;
      const created = await api('post', '/postmortems', olive).send({
        title: 'Stalls',
        incidentIds: [incident.id],
      });
      expect(created.status).toBe(201);
      const postmortem = created.body;
      expect(postmortem.entityRefs).toEqual([subtitles]);
      expect(await listed(subtitles)).toContain(postmortem.id);
      expect(await draftsOnTab(subtitles)).toBe(1);

      // the incident turns out to belong to the orchestrator
      const moved = await api(
        'patch',
        `/incidents/${incident.id}`,
        service,
      ).send({
        version: incident.version,
        entityRefs: [orchestrator],
      });
      expect(moved.status).toBe(200);

      const reread = (await api('get', `/postmortems/${postmortem.id}`, olive))
        .body;
      expect(reread.entityRefs).toEqual([orchestrator]);
      expect(await listed(orchestrator)).toContain(postmortem.id);
      expect(await listed(subtitles)).not.toContain(postmortem.id);
      expect(await draftsOnTab(orchestrator)).toBe(1);
      expect(await draftsOnTab(subtitles)).toBe(0);
      // the owner check follows: the orchestrator's owner may edit it now, the subtitle service's may not
      const byOlive = await api(
        'patch',
        `/postmortems/${postmortem.id}`,
        olive,
      ).send({
        version: reread.version,
        summary: 'Olive writes',
      });
      expect(byOlive.status).toBe(403);
      const byDana = await api(
        'patch',
        `/postmortems/${postmortem.id}`,
        dana,
      ).send({
        version: reread.version,
        summary: 'Dana writes',
      });
      expect(byDana.status).toBe(200);

      // a second incident joins through a new postmortem covering both; deleting the moved one leaves the other's entity
      const both = (
        await api('post', '/postmortems', service).send({
          title: 'Both stalls',
          incidentIds: [incident.id, other.id],
        })
      ).body;
      expect(both.entityRefs).toEqual([subtitles, orchestrator].sort());
      expect(
        (await api('delete', `/incidents/${incident.id}`, service)).status,
      ).toBe(204);
      const after = (await api('get', `/postmortems/${both.id}`, olive)).body;
      expect(after.incidentIds).toEqual([other.id]);
      expect(after.entityRefs).toEqual([subtitles]);
      // a postmortem left without incidents keeps the entities it had
      const orphan = (await api('get', `/postmortems/${postmortem.id}`, olive))
        .body;
      expect(orphan.incidentIds).toEqual([]);
      expect(orphan.entityRefs).toEqual([orchestrator]);
    });
  },
);
