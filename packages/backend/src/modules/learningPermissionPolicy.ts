import {
  createBackendModule,
  coreServices,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';

/**
 * The demo organisation's policy: everyone reads everything; Learning Loop records are written by the owners of
 * the entity they belong to (directly or through group membership, as the catalog's IS_ENTITY_OWNER rule decides)
 * and by members of the admin group named in `learning.adminGroup`.
 */
export class LearningDemoPolicy implements PermissionPolicy {
  constructor(private readonly adminGroup?: string) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!request.permission.name.startsWith('learning.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    const claims = user?.info.ownershipEntityRefs ?? [];
    if (this.adminGroup && claims.includes(this.adminGroup)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isResourcePermission(request.permission, 'catalog-entity')) {
      return createCatalogConditionalDecision(
        request.permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}

/** Installs {@link LearningDemoPolicy} as the permission policy. */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'learning-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const adminGroup = config
          .getOptionalString('learning.adminGroup')
          ?.toLocaleLowerCase('en-US');
        policy.setPolicy(new LearningDemoPolicy(adminGroup));
      },
    });
  },
});
