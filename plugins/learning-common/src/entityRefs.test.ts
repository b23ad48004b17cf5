import { entityRefPath, normalizeEntityRef } from './entityRefs';

describe('entity refs', () => {
  it('normalises refs, entities and short forms to the lower-cased full ref', () => {
    expect(normalizeEntityRef('Component:Default/Subtitle-Service')).toBe(
      'component:default/subtitle-service',
    );
    expect(
      normalizeEntityRef({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'Localization-Team' },
      }),
    ).toBe('group:default/localization-team');
    expect(normalizeEntityRef('olive', { defaultKind: 'user' })).toBe(
      'user:default/olive',
    );
    expect(() => normalizeEntityRef('no-kind')).toThrow();
  });

  it('turns a ref into encoded route segments', () => {
    expect(entityRefPath('component:default/subtitle-service')).toBe(
      'component/default/subtitle-service',
    );
    expect(entityRefPath('api:ns/a b')).toBe('api/ns/a%20b');
    expect(entityRefPath('component:checkout')).toBe(
      'component/default/checkout',
    );
  });
});
