import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CatalogRollups } from './catalogRollup';

const component = (name: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', title: name.toUpperCase() },
  spec: { owner, type: 'service', lifecycle: 'production' },
});

describe('CatalogRollups', () => {
  it('reads the catalog once per caller within the memo time, and again after it', async () => {
    const catalog = catalogServiceMock({
      entities: [component('c1', 'team-a')],
    });
    const getEntities = jest.spyOn(catalog, 'getEntities');
    let clock = 0;
    const rollups = new CatalogRollups(catalog, 30_000, () => clock);
    const olive = mockCredentials.user('user:default/olive');
    const bob = mockCredentials.user('user:default/bob');
    const first = await rollups.of(olive);
    expect(first.titles.get('component:default/c1')).toBe('C1');
    clock = 29_999;
    expect(await rollups.of(olive)).toBe(first);
    // each caller reads with their own credentials: what they may see
    await rollups.of(bob);
    expect(getEntities).toHaveBeenCalledTimes(2);
    expect(getEntities.mock.calls[1][1]).toEqual({ credentials: bob });
    clock = 30_000;
    expect(await rollups.of(olive)).not.toBe(first);
    expect(getEntities).toHaveBeenCalledTimes(3);
  });

  it('does not keep a failed read', async () => {
    const catalog = catalogServiceMock({ entities: [] });
    const getEntities = jest
      .spyOn(catalog, 'getEntities')
      .mockRejectedValueOnce(new Error('catalog down'));
    const rollups = new CatalogRollups(catalog, 30_000, () => 0);
    const olive = mockCredentials.user('user:default/olive');
    await expect(rollups.of(olive)).rejects.toThrow('catalog down');
    await expect(rollups.of(olive)).resolves.toBeDefined();
    expect(getEntities).toHaveBeenCalledTimes(2);
  });
});
