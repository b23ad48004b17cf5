/**
 * Node library for Learning Loop backend modules.
 *
 * @packageDocumentation
 */

export {
  learningIncidentSourcesExtensionPoint,
  type LearningIncidentSourcesExtensionPoint,
  type IncidentSource,
  type IncidentSourceEvent,
  type DeploymentSourceEvent,
  type SourceEvent,
  isDeploymentEvent,
  type IncidentWebhookRequest,
  type ServiceReference,
} from './extensions';
export {
  hmacSha256,
  safeEqual,
  parseJsonBody,
  checkTimestampTolerance,
  learningServiceAnnotation,
  toIsoTimestamp,
} from './helpers';
export {
  learningActionTrackersExtensionPoint,
  type LearningActionTrackersExtensionPoint,
  type ActionTracker,
  type TrackerIssue,
  type TrackerIssueDraft,
  type TrackerIssueChange,
  type TrackerWebhookEvent,
} from './trackers';
export {
  createTrackerHttp,
  TrackerHttpError,
  type TrackerHttp,
  type TrackerHttpOptions,
} from './trackerHttp';
