/**
 * Learning Loop backend module: Linear as the tracker of action items, added through
 * `learningActionTrackersExtensionPoint`.
 *
 * @packageDocumentation
 */

export { learningModuleLinear as default } from './module';
export {
  createLinearTracker,
  LINEAR_TEAM_KEY_ANNOTATION,
  type LinearTrackerOptions,
} from './linearTracker';
