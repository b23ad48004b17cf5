export {
  learningApiRef,
  type LearningApi,
  type ListQuery,
} from './LearningApi';
export { LearningClient } from './LearningClient';
