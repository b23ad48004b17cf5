import type { HistoryEntry } from '@learning-loop/plugin-learning-common';
import type { ActionStore } from './ActionStore';
import type { AttentionStore } from './AttentionStore';
import type { DeploymentStore } from './DeploymentStore';
import type { JobRunStore } from './JobRunStore';
import type { TrackerLinkStore } from './TrackerLinkStore';
import type { IncidentStore } from './IncidentStore';
import type { IngestEventStore } from './IngestEventStore';
import type { MetricsStore } from './MetricsStore';
import type { OverviewStore } from './OverviewStore';
import type { PostmortemReviewStore } from './PostmortemReviewStore';
import type { PostmortemStore } from './PostmortemStore';
import type { RecurrenceStore } from './RecurrenceStore';
import type { ReminderStore } from './ReminderStore';
import type { RollupStore } from './RollupStore';
import type { RunbookStore } from './RunbookStore';
import type { SummaryStore } from './SummaryStore';

/** What the rest of the plugin may ask of a store: its public methods, without those that take a database handle. */
type Records<T> = Omit<{ [K in keyof T]: T[K] }, 'hydrate'>;

export type IncidentRecords = Records<IncidentStore>;
export type PostmortemRecords = Records<PostmortemStore>;
export type PostmortemReviewRecords = Records<PostmortemReviewStore>;
export type RunbookRecords = Records<RunbookStore>;
export type ActionRecords = Records<ActionStore>;
export type SummaryRecords = Records<SummaryStore>;
export type RecurrenceRecords = Records<RecurrenceStore>;
export type MetricsRecords = Records<MetricsStore>;
export type OverviewRecords = Records<OverviewStore>;
export type RollupRecords = Records<RollupStore>;
export type AttentionRecords = Records<AttentionStore>;
export type IngestEventRecords = Records<IngestEventStore>;
export type ReminderRecords = Records<ReminderStore>;
export type DeploymentRecords = Records<DeploymentStore>;
export type JobRunRecords = Records<JobRunStore>;
export type TrackerLinkRecords = Records<TrackerLinkStore>;

/**
 * Learning Loop's storage as the routes, the domain rules, the jobs and the ingestion see it: one interface per
 * record kind, the history and the data revision. The database behind it stays private to `database/`
 * (DatabaseLearningStore); tests of the routes can stand in a `jest.Mocked<LearningStore>`.
 */
export interface LearningStore {
  readonly incidents: IncidentRecords;
  readonly postmortems: PostmortemRecords;
  readonly reviews: PostmortemReviewRecords;
  readonly runbooks: RunbookRecords;
  readonly actions: ActionRecords;
  readonly summaries: SummaryRecords;
  readonly recurrence: RecurrenceRecords;
  readonly metrics: MetricsRecords;
  readonly overview: OverviewRecords;
  /** The counts per entity and day the organisation-wide answers read. */
  readonly rollups: RollupRecords;
  readonly attention: AttentionRecords;
  readonly ingestEvents: IngestEventRecords;
  readonly reminders: ReminderRecords;
  readonly deployments: DeploymentRecords;
  readonly jobs: JobRunRecords;
  /** Action items linked to tracker issues. */
  readonly trackerLinks: TrackerLinkRecords;
  /** The change history of one record, oldest first. */
  history(
    recordType: HistoryEntry['recordType'],
    recordId: string,
  ): Promise<HistoryEntry[]>;
  /** Changes whenever any record changes, on any replica: the key answer caches are kept under. */
  revision(): Promise<string>;
}
