import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createSearchResultListItemExtension } from '@backstage/plugin-search-react';
import { LearningClient, learningApiRef } from './api';
import { rootRouteRef } from './routes';

/** Learning Loop for apps on the legacy frontend system. */
export const learningPlugin = createPlugin({
  id: 'learning',
  apis: [
    createApiFactory({
      api: learningApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new LearningClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The Learning page: mount it at /learning. */
export const LearningPage = learningPlugin.provide(
  createRoutableExtension({
    name: 'LearningPage',
    component: () =>
      import('./components/LearningPage').then(m => m.LearningPage),
    mountPoint: rootRouteRef,
  }),
);

/** The entity Learning tab's content, for an `EntityLayout.Route`. */
export const EntityLearningContent = learningPlugin.provide(
  createComponentExtension({
    name: 'EntityLearningContent',
    component: {
      lazy: () =>
        import('./components/entity/EntityLearningContent').then(
          m => m.EntityLearningContent,
        ),
    },
  }),
);

/** The compact Learning summary card for an entity's overview. */
export const EntityLearningSummaryCard = learningPlugin.provide(
  createComponentExtension({
    name: 'EntityLearningSummaryCard',
    component: {
      lazy: () =>
        import('./components/entity/EntityLearningSummaryCard').then(
          m => m.EntityLearningSummaryCard,
        ),
    },
  }),
);

/** A group's Learning tab: the team's backlog, for an `EntityLayout.Route` on group pages. */
export const EntityTeamBacklogContent = learningPlugin.provide(
  createComponentExtension({
    name: 'EntityTeamBacklogContent',
    component: {
      lazy: () =>
        import('./components/actions/TeamBacklogContent').then(
          m => m.TeamBacklogContent,
        ),
    },
  }),
);

/** Renders published postmortems and runbooks in search results; put it among the search page's result items. */
export const LearningSearchResultListItem = learningPlugin.provide(
  createSearchResultListItemExtension({
    name: 'LearningSearchResultListItem',
    component: () =>
      import('./components/search/LearningSearchResultListItem').then(
        m => m.LearningSearchResultListItem,
      ),
    predicate: result => result.type === 'learning',
  }),
);
