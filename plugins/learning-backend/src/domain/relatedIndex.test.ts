import { mockServices } from '@backstage/backend-test-utils';
import { defaultLearningSettings } from '@learning-loop/plugin-learning-common';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import { RelatedIndex } from './relatedIndex';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const svc = 'component:default/subtitle-service';
const daysAgo = (n: number) =>
  new Date(Date.now() - n * 86_400_000).toISOString();

describe.each(databases.eachSupportedId())(
  'related learnings kept per incident on %p',
  databaseId => {
    it('computes, in the background pass, the incidents no write computed, and each only once per version', async () => {
      const knex = await databases.init(databaseId);
      const store = await DatabaseLearningStore.create({
        database: mockServices.database({ knex }),
        settings: defaultLearningSettings,
      });
      const send = jest.fn(async () => {});
      const index = new RelatedIndex({
        store,
        settings: defaultLearningSettings,
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        notifications: { send },
      });
      const create = (title: string, at: number, modes: string[]) =>
        store.incidents.create(
          {
            title,
            kind: 'incident',
            severity: 'SEV2',
            entityRefs: [svc],
            startedAt: daysAgo(at),
            source: 'manual',
            failureModes: modes,
          },
          'user:default/alice',
        );
      // written with nobody listening, as before related learnings existed
      const a = await create('Subtitle cache stampede', 30, ['cache']);
      const b = await create('Subtitle cache stampede at peak', 20, ['cache']);
      const c = await create('Subtitle cache stampede again', 10, ['cache']);
      const old = await create('Subtitle cache stampede', 400, ['cache']);
      // nothing computed yet: no novelty, no kept matches
      expect((await store.incidents.get(c.id)).novelty).toBeUndefined();
      expect(await store.recurrence.storedRelated(c.id)).toBeUndefined();

      // the pass takes the related window's incidents, most recent first, the batch at a time
      expect(await store.recurrence.staleRelated(10)).toEqual([
        c.id,
        b.id,
        a.id,
      ]);
      expect(await index.sweep(2)).toBe(2);
      expect(await store.recurrence.staleRelated(10)).toEqual([a.id]);
      expect(await index.sweep(10)).toBe(1);
      expect(await index.sweep(10)).toBe(0);
      expect(await store.recurrence.staleRelated(10)).toEqual([]);
      // each with its novelty: the first of its kind, then seen once, then twice before
      const novelty = await store.incidents.noveltyOf([
        a.id,
        b.id,
        c.id,
        old.id,
      ]);
      expect(Object.fromEntries(novelty)).toEqual({
        [a.id]: 'new',
        [b.id]: 'rare',
        [c.id]: 'rare',
      });
      expect((await store.incidents.get(c.id)).novelty).toBe('rare');
      const kept = await store.recurrence.storedRelated(c.id);
      expect(kept?.matches.map(m => m.relatedId)).toEqual([b.id, a.id]);
      expect(kept?.matches[0]).toMatchObject({
        rank: 0,
        relation: 'same-entity',
        sharedModes: ['cache'],
      });
      // the incident outside the window is left to the read that needs it
      expect(await store.recurrence.storedRelated(old.id)).toBeUndefined();
      // no finished action on the matches: nobody is told anything
      expect(send).not.toHaveBeenCalled();

      // an edit makes them stale until computed again; the store tells its listeners
      const written: string[] = [];
      store.incidents.onWritten(id => written.push(id));
      const edited = await store.incidents.update(
        c.id,
        { version: c.version, title: 'Subtitle CDN returned 503' },
        'user:default/alice',
      );
      expect(written).toEqual([c.id]);
      expect(await store.recurrence.storedRelated(c.id)).toBeUndefined();
      expect(await store.recurrence.staleRelated(10)).toEqual([c.id]);
      // a result computed for an earlier version is not kept
      expect(
        (await store.recurrence.saveRelated(c.id, c.version, [], 0)).saved,
      ).toBe(false);
      expect((await index.refresh(c.id)).saved).toBe(true);
      expect((await store.recurrence.storedRelated(c.id))?.matches).toEqual([
        expect.objectContaining({ relatedId: b.id, sharedModes: ['cache'] }),
        expect.objectContaining({ relatedId: a.id }),
      ]);
      expect(edited.version).toBe(c.version + 1);
      // a deleted incident is nothing to compute
      await store.incidents.delete(a.id, 'user:default/alice');
      expect((await index.refresh(a.id)).saved).toBe(false);
    });
  },
);
