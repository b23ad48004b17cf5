/**
 * Learning Loop frontend plugin. Legacy frontend system exports here; the new frontend system's plugin is the
 * default export of `@learning-loop/plugin-learning/alpha`.
 *
 * @packageDocumentation
 */
export {
  learningPlugin,
  LearningPage,
  EntityLearningContent,
  EntityLearningSummaryCard,
  EntityTeamBacklogContent,
  LearningSearchResultListItem,
} from './plugin';
export { learningApiRef, LearningClient, type LearningApi } from './api';
export { rootRouteRef as learningRouteRef } from './routes';
