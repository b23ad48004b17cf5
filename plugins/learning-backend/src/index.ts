/**
 * Learning Loop backend plugin.
 *
 * @packageDocumentation
 */
export { learningPlugin as default } from './plugin';
export {
  DatabaseLearningStore,
  applyLearningMigrations,
} from './database/DatabaseLearningStore';
export { readLearningSettings } from './settings';
export { writeAsOf } from './database/records';
