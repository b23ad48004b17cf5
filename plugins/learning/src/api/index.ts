export {
  learningApiRef,
  type LearningApi,
  type LearningUiSettings,
  type ListQuery,
} from './LearningApi';
export { LearningClient } from './LearningClient';
