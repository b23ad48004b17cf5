/*
 * Upgrades with data: for every schema version, a database migrated to that version is filled with records written
 * with only the columns the first version had, then the plugin starts on it (migrating to the latest version and
 * numbering recurrence chains that predate it). Everything written before is readable and correct afterwards, and
 * the whole schema goes down and up again with the data tables empty.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from './DatabaseLearningStore';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const directory = path.resolve(__dirname, '../../migrations');
const versions = fs
  .readdirSync(directory)
  .filter(file => file.endsWith('.js'))
  .sort();
const svc = 'component:default/subtitle-service';
const ids = {
  first: '11111111-1111-4111-8111-111111111111',
  second: '22222222-2222-4222-8222-222222222222',
  postmortem: '33333333-3333-4333-8333-333333333333',
  runbook: '44444444-4444-4444-8444-444444444444',
  action: '55555555-5555-4555-8555-555555555555',
};

/** Records as the first schema version stored them. */
async function writeFirstVersionData(knex: Knex) {
  const meta = (at: string) => ({
    version: 1,
    created_at: at,
    created_by: 'user:default/olive',
    updated_at: at,
  });
  const incident = (id: string, title: string, at: string) => ({
    id,
    title,
    kind: 'incident',
    severity: 'SEV2',
    started_at: at,
    resolved_at: at.replace('T10', 'T12'),
    source: 'manual',
    ...meta(at),
  });
  await knex('incidents').insert([
    incident(ids.first, 'Vendor timeouts', '2026-09-01T10:00:00.000Z'),
    incident(ids.second, 'Vendor timeouts again', '2026-10-01T10:00:00.000Z'),
  ]);
  await knex('incident_entities').insert([
    {
      incident_id: ids.first,
      entity_ref: svc,
      started_at: '2026-09-01T10:00:00.000Z',
    },
    {
      incident_id: ids.second,
      entity_ref: svc,
      started_at: '2026-10-01T10:00:00.000Z',
    },
  ]);
  await knex('incident_failure_modes').insert([
    { incident_id: ids.first, failure_mode: 'dependency-timeout' },
    { incident_id: ids.second, failure_mode: 'dependency-timeout' },
  ]);
  await knex('postmortems').insert({
    id: ids.postmortem,
    title: 'Learning review: vendor timeouts',
    status: 'published',
    summary: 'The vendor slowed down; we had no timeout budget.',
    timeline: '[]',
    contributing_factors: '[]',
    decisions: '[]',
    participants: '[]',
    published_at: '2026-09-05T10:00:00.000Z',
    ...meta('2026-09-02T10:00:00.000Z'),
  });
  await knex('postmortem_incidents').insert({
    postmortem_id: ids.postmortem,
    incident_id: ids.first,
  });
  await knex('postmortem_entities').insert({
    postmortem_id: ids.postmortem,
    entity_ref: svc,
  });
  await knex('runbooks').insert({
    id: ids.runbook,
    entity_ref: svc,
    title: 'Fail over the vendor',
    body: 'steps',
    review_interval_days: 180,
    ...meta('2026-09-03T10:00:00.000Z'),
  });
  await knex('action_items').insert({
    id: ids.action,
    entity_ref: svc,
    postmortem_id: ids.postmortem,
    title: 'Add a timeout budget',
    type: 'prevent',
    category: 'reliability',
    priority: 'P1',
    owner: 'group:default/localization-team',
    due_date: '2026-12-01',
    status: 'open',
    ...meta('2026-09-05T10:00:00.000Z'),
  });
  await knex('history').insert({
    record_type: 'incident',
    record_id: ids.first,
    operation: 'create',
    actor: 'user:default/olive',
    at: '2026-09-01T10:00:00.000Z',
    version: 1,
    changes: '[]',
  });
}

describe.each(databases.eachSupportedId())('upgrades on %p', databaseId => {
  it.each(versions)(
    'from %s with data: every record readable, recurrence numbered',
    async version => {
      const knex = await databases.init(databaseId);
      for (const name of versions.slice(0, versions.indexOf(version) + 1)) {
        await knex.migrate.up({ directory, name });
      }
      await writeFirstVersionData(knex);
      const store = await DatabaseLearningStore.create({
        database: mockServices.database({ knex }),
        settings: defaultLearningSettings,
      });
      const second = await store.incidents.get(ids.second);
      expect(second).toMatchObject({
        title: 'Vendor timeouts again',
        entityRefs: [svc],
        isRecurrence: true,
      });
      expect(second.occurrences).toEqual([
        expect.objectContaining({
          failureMode: 'dependency-timeout',
          occurrence: 2,
          previousIncidentId: ids.first,
        }),
      ]);
      expect((await store.postmortems.get(ids.postmortem)).summary).toBe(
        'The vendor slowed down; we had no timeout budget.',
      );
      expect((await store.runbooks.get(ids.runbook)).title).toBe(
        'Fail over the vendor',
      );
      const summary = await store.summaries.entitySummary(svc);
      expect(summary.openActions.map(a => a.id)).toEqual([ids.action]);
      expect(summary.recurrence.status).toBe('recurring');
      // and it is writable: the next update is version 2
      const updated = await store.actions.update(
        ids.action,
        { version: 1, status: 'in-progress' },
        'user:default/olive',
      );
      expect(updated.version).toBe(2);
    },
  );

  it('goes down to nothing and up again', async () => {
    const knex = await databases.init(databaseId);
    await DatabaseLearningStore.create({
      database: mockServices.database({ knex }),
      settings: defaultLearningSettings,
    });
    await knex.migrate.rollback({ directory }, true);
    for (const table of ['incidents', 'ingest_events', 'reminder_deliveries']) {
      expect(await knex.schema.hasTable(table)).toBe(false);
    }
    await knex.migrate.latest({ directory });
    expect(await knex.schema.hasTable('reminder_deliveries')).toBe(true);
  });
});
