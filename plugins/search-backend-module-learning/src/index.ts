/**
 * Backstage search module indexing Learning Loop's published postmortems, runbooks and incidents.
 *
 * @packageDocumentation
 */

export { searchModuleLearningCollator as default } from './module';
export {
  LearningCollatorFactory,
  LEARNING_DOCUMENT_TYPE,
  type LearningDocument,
} from './LearningCollatorFactory';
