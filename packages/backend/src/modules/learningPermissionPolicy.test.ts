import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { learningActionUpdatePermission } from '@learning-loop/plugin-learning-common';
import { LearningDemoPolicy } from './learningPermissionPolicy';

const user = (ownershipEntityRefs: string[]) => ({
  identity: {
    type: 'user' as const,
    userEntityRef: ownershipEntityRefs[0],
    ownershipEntityRefs,
  },
  info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  token: 't',
  credentials: {} as any,
});

describe('LearningDemoPolicy', () => {
  const policy = new LearningDemoPolicy('group:default/sre-leads');

  it('lets everyone read the catalog', async () => {
    expect(
      await policy.handle(
        { permission: catalogEntityReadPermission },
        user(['user:default/x']),
      ),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('asks the catalog whether the caller owns the entity for Learning Loop writes', async () => {
    const decision = await policy.handle(
      { permission: learningActionUpdatePermission },
      user(['user:default/guest', 'group:default/localization-team']),
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        params: {
          claims: ['user:default/guest', 'group:default/localization-team'],
        },
      },
    });
  });

  it('lets admins write everything', async () => {
    const decision = await policy.handle(
      { permission: learningActionUpdatePermission },
      user(['user:default/ada', 'group:default/sre-leads']),
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
