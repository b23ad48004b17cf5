/*
 * 50 clients × 20 updates each on one action item and on one postmortem, over real HTTP: every acknowledged update
 * is in the history exactly once, every stale one got 409, none was lost or applied twice, nothing answered 5xx.
 * Run with `yarn reliability` (part of `npm test`).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';
import { startLearningBackend } from '../__testUtils__/learningBackend';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const CLIENTS = 50;
const UPDATES = 20;

describe.each(databases.eachSupportedId())(
  'concurrent edits over HTTP on %p',
  databaseId => {
    let knex: Knex;
    let baseUrl: string;
    beforeAll(async () => {
      knex = await databases.init(databaseId);
      const { server } = await startLearningBackend(knex);
      baseUrl = `http://localhost:${server.port()}/api/learning`;
    });

    const call = async (
      client: number,
      method: string,
      path: string,
      body?: object,
    ) => {
      const response = await fetch(`${baseUrl}/${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: mockCredentials.user.header(
            `user:default/client-${client}`,
          ),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: await response.json() };
    };

    /** Every client reads, then writes a value only it uses, 20 times; returns what the server acknowledged. */
    async function hammer(path: string, field: string) {
      const acknowledged: string[] = [];
      let stale = 0;
      const others: number[] = [];
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let n = 0; n < UPDATES; n++) {
            const current = await call(client, 'GET', path);
            const value = `client ${client} update ${n}`;
            const result = await call(client, 'PATCH', path, {
              version: current.body.version,
              [field]: value,
            });
            if (result.status === 200) acknowledged.push(value);
            else if (result.status === 409) {
              stale += 1;
              expect(result.body.current.version).toBeGreaterThan(
                current.body.version,
              );
            } else others.push(result.status);
          }
        }),
      );
      return { acknowledged, stale, others };
    }

    async function historyValues(recordId: string, field: string) {
      const rows = await knex('history')
        .where({ record_id: recordId, operation: 'update' })
        .orderBy('version');
      return rows.map(
        row => JSON.parse(row.changes).find((c: any) => c.field === field)?.to,
      );
    }

    it('loses no acknowledged action update and applies none twice', async () => {
      const created = await call(0, 'POST', 'actions', {
        entityRef: svc,
        title: 'Add a retry budget',
        priority: 'P1',
        owner: 'group:default/localization-team',
      });
      expect(created.status).toBe(201);
      const { acknowledged, stale, others } = await hammer(
        `actions/${created.body.id}`,
        'title',
      );
      expect(others).toEqual([]);
      expect(acknowledged.length + stale).toBe(CLIENTS * UPDATES);
      expect(acknowledged.length).toBeGreaterThanOrEqual(UPDATES);
      const history = await historyValues(created.body.id, 'title');
      expect([...history].sort()).toEqual([...acknowledged].sort());
      expect(new Set(history).size).toBe(history.length);
      const final = await call(0, 'GET', `actions/${created.body.id}`);
      expect(final.body.version).toBe(1 + acknowledged.length);
      expect(final.body.title).toBe(history[history.length - 1]);
      console.log(
        `${databaseId} action: ${
          acknowledged.length
        } acknowledged, ${stale} stale (409) of ${CLIENTS * UPDATES}`,
      );
    });

    it('loses no acknowledged postmortem update and applies none twice', async () => {
      const incident = await call(0, 'POST', 'incidents', {
        title: 'Outage',
        severity: 'SEV2',
        entityRefs: [svc],
        startedAt: '2026-11-01T10:00:00Z',
      });
      const created = await call(0, 'POST', 'postmortems', {
        title: 'Learning review',
        incidentIds: [incident.body.id],
      });
      expect(created.status).toBe(201);
      const { acknowledged, stale, others } = await hammer(
        `postmortems/${created.body.id}`,
        'summary',
      );
      expect(others).toEqual([]);
      expect(acknowledged.length + stale).toBe(CLIENTS * UPDATES);
      const history = await historyValues(created.body.id, 'summary');
      expect([...history].sort()).toEqual([...acknowledged].sort());
      const final = await call(0, 'GET', `postmortems/${created.body.id}`);
      expect(final.body.version).toBe(
        created.body.version + acknowledged.length,
      );
      console.log(
        `${databaseId} postmortem: ${
          acknowledged.length
        } acknowledged, ${stale} stale (409) of ${CLIENTS * UPDATES}`,
      );
    });
  },
);
