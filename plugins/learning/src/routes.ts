import { createRouteRef } from '@backstage/core-plugin-api';

/** The Learning page (org-wide view and postmortem pages), mounted at /learning in the demo app. */
export const rootRouteRef = createRouteRef({ id: 'learning' });
