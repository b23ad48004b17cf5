/**
 * Learning Loop backend module receiving GitHub `deployment_status` webhooks as deployments (change failure rate
 * and failed-deployment recovery time), added through `learningIncidentSourcesExtensionPoint`.
 *
 * @packageDocumentation
 */

export { learningModuleGitHub as default } from './module';
export {
  createGitHubSource,
  GITHUB_PROJECT_SLUG_ANNOTATION,
} from './githubSource';
