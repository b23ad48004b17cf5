import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import SchoolIcon from '@material-ui/icons/School';
import {
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { LearningClient, learningApiRef } from '../api';
import { rootRouteRef } from '../routes';
import {
  isLearningEntity,
  isTeamEntity,
} from '../components/shared/entityFilter';

const learningApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: learningApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new LearningClient(deps),
    }),
});

const learningPage = PageBlueprint.make({
  params: {
    path: '/learning',
    title: 'Learning',
    icon: <SchoolIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('../components/LearningPage').then(m =>
        compatWrapper(<m.LearningPage />),
      ),
  },
});

const learningEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'learning',
    title: 'Learning',
    filter: isLearningEntity,
    loader: () =>
      import('../components/entity/EntityLearningContent').then(m =>
        compatWrapper(<m.EntityLearningContent />),
      ),
  },
});

const learningTeamContent = EntityContentBlueprint.make({
  name: 'team',
  params: {
    path: 'learning',
    title: 'Learning',
    filter: isTeamEntity,
    loader: () =>
      import('../components/actions/TeamBacklogContent').then(m =>
        compatWrapper(<m.TeamBacklogContent />),
      ),
  },
});

const learningEntityCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    filter: isLearningEntity,
    loader: () =>
      import('../components/entity/EntityLearningSummaryCard').then(m =>
        compatWrapper(<m.EntityLearningSummaryCard />),
      ),
  },
});

const learningSearchResultItem = SearchResultListItemBlueprint.make({
  params: {
    predicate: result => result.type === 'learning',
    icon: <SchoolIcon />,
    component: () =>
      import('../components/search/LearningSearchResultListItem').then(
        m => m.LearningSearchResultListItem as any,
      ),
  },
});

const learningSearchResultType = SearchFilterResultTypeBlueprint.make({
  params: { value: 'learning', name: 'Learning Loop', icon: <SchoolIcon /> },
});

/** Learning Loop for apps on the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'learning',
  info: { packageJson: () => import('../../package.json') },
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [
    learningApi,
    learningPage,
    learningEntityContent,
    learningTeamContent,
    learningEntityCard,
    learningSearchResultItem,
    learningSearchResultType,
  ],
});
