import type { ReactNode } from 'react';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { rootRouteRef } from '../../routes';

/**
 * Where the Learning page is mounted ("/learning" in the demo), or undefined in an app that shows the entity tab
 * without mounting the page: records are then named without links.
 */
export function useLearningRoot(): string | undefined {
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    return useRouteRef(rootRouteRef)();
  } catch {
    return undefined;
  }
}

/** A link to a record's page under the Learning page: an incident, an action, a postmortem, a runbook. */
export function RecordLink(props: {
  kind: 'incident' | 'action' | 'postmortem' | 'runbook';
  id: string;
  children: ReactNode;
  /** Opens in a new tab: from a form whose draft must not be lost. */
  newTab?: boolean;
}) {
  const root = useLearningRoot();
  if (!root) return <>{props.children}</>;
  return (
    <Link
      to={`${root}/${props.kind}s/${props.id}`}
      {...(props.newTab ? { target: '_blank', rel: 'noopener' } : {})}
    >
      {props.children}
    </Link>
  );
}
