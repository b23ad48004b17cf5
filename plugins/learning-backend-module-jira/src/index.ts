/**
 * Learning Loop backend module: Jira (Cloud and Data Center) as the tracker of action items, added through
 * `learningActionTrackersExtensionPoint`.
 *
 * @packageDocumentation
 */

export { learningModuleJira as default } from './module';
export {
  createJiraTracker,
  JIRA_PROJECT_KEY_ANNOTATION,
  type JiraTrackerOptions,
} from './jiraTracker';
