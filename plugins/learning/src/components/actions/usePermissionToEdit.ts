import { usePermission } from '@backstage/plugin-permission-react';
import {
  learningActionCreatePermission,
  learningActionUpdatePermission,
} from '@learning-loop/plugin-learning-common';

/** Whether the signed-in user may change actions of an entity. The server decides again on every write. */
export function usePermissionToEdit(
  entityRef: string,
  kind: 'create' | 'update' = 'update',
) {
  const { allowed, loading } = usePermission({
    permission:
      kind === 'create'
        ? learningActionCreatePermission
        : learningActionUpdatePermission,
    resourceRef: entityRef,
  });
  return { allowed, loading };
}
