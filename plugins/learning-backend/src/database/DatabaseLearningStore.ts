import type { DatabaseService } from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  HistoryEntry,
  LearningSettings,
} from '@learning-loop/plugin-learning-common';
import { ActionStore } from './ActionStore';
import { IncidentStore } from './IncidentStore';
import { PostmortemStore } from './PostmortemStore';
import { PostmortemReviewStore } from './PostmortemReviewStore';
import { RunbookStore } from './RunbookStore';
import { SummaryStore } from './SummaryStore';
import { RecurrenceStore } from './RecurrenceStore';
import { MetricsStore } from './MetricsStore';
import { RollupStore } from './RollupStore';
import { sqliteReadsOffThread } from './sqliteReads';
import { OverviewStore } from './OverviewStore';
import { AttentionStore } from './AttentionStore';
import { IngestEventStore } from './IngestEventStore';
import { DeploymentStore } from './DeploymentStore';
import { JobRunStore } from './JobRunStore';
import { TrackerLinkStore } from './TrackerLinkStore';
import { ReminderStore } from './ReminderStore';
import { dataRevision, History, type WriteListener } from './history';
import type { LearningStore } from './LearningStore';

const migrationsDir = resolvePackagePath(
  '@learning-loop/plugin-learning-backend',
  'migrations',
);

/**
 * Applies the plugin's migrations to a database. Replicas starting together race to create knex's lock table, or
 * find the lock held: those attempts wait and try again, so the migrations run once and every replica starts.
 */
export async function applyLearningMigrations(knex: Knex): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await knex.migrate.latest({ directory: migrationsDir });
      return;
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      const raced =
        /already exists|Migration table is already locked|MigrationLocked|duplicate key/i.test(
          message,
        );
      if (!raced || attempt >= 20) throw error;
      await new Promise(resolve => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** All of Learning Loop's storage, one store per record kind over one database. */
export class DatabaseLearningStore implements LearningStore {
  readonly incidents: IncidentStore;
  readonly postmortems: PostmortemStore;
  readonly reviews: PostmortemReviewStore;
  readonly runbooks: RunbookStore;
  readonly actions: ActionStore;
  readonly summaries: SummaryStore;
  readonly recurrence: RecurrenceStore;
  readonly metrics: MetricsStore;
  readonly overview: OverviewStore;
  readonly rollups: RollupStore;
  readonly attention: AttentionStore;
  readonly ingestEvents: IngestEventStore;
  readonly reminders: ReminderStore;
  readonly deployments: DeploymentStore;
  readonly jobs: JobRunStore;
  readonly trackerLinks: TrackerLinkStore;

  /** Opens the plugin's database, migrating it unless `backend.database.migrations.skip` is set. */
  static async create(options: {
    database: DatabaseService;
    settings: LearningSettings;
    /** Told when a write of this store begins; the function it returns, when the write has ended. */
    onWrite?: WriteListener;
    /** `false` keeps an SQLite file's aggregate reads on the main thread (tests comparing the two). */
    readsOffThread?: boolean;
  }): Promise<DatabaseLearningStore> {
    const knex = await options.database.getClient();
    const store = new DatabaseLearningStore(
      knex,
      options.settings,
      new History(knex, options.onWrite),
      // organisation-wide aggregates on an SQLite file read in worker threads, off the event loop
      options.readsOffThread === false
        ? undefined
        : await sqliteReadsOffThread(knex),
    );
    if (!options.database.migrations?.skip) {
      await applyLearningMigrations(knex);
      // incidents stored before recurrence numbering existed get their chains now
      await store.recurrence.backfill();
      // buckets a migration marked (the rollups' backfill) are counted before the first answer
      await store.rollups.refresh();
    }
    return store;
  }

  private constructor(
    private readonly knex: Knex,
    settings: LearningSettings,
    private readonly changes: History,
    private readonly reads?: Knex,
  ) {
    const aggregates = reads ?? knex;
    this.recurrence = new RecurrenceStore(knex, changes, settings);
    this.rollups = new RollupStore(knex);
    this.metrics = new MetricsStore(aggregates, this.rollups);
    this.overview = new OverviewStore(aggregates, this.metrics, this.rollups);
    this.attention = new AttentionStore(aggregates, this.metrics);
    this.ingestEvents = new IngestEventStore(knex);
    this.reminders = new ReminderStore(knex);
    this.jobs = new JobRunStore(knex);
    this.trackerLinks = new TrackerLinkStore(knex);
    this.deployments = new DeploymentStore(
      knex,
      changes,
      this.metrics,
      settings.deployments,
    );
    this.incidents = new IncidentStore(
      knex,
      changes,
      settings,
      this.recurrence,
    );
    this.postmortems = new PostmortemStore(knex, changes, this.recurrence);
    this.reviews = new PostmortemReviewStore(knex);
    this.runbooks = new RunbookStore(knex, changes);
    this.actions = new ActionStore(knex, changes, settings, this.recurrence);
    // an entity's summary is an aggregate too: on an SQLite file it is read off the event loop
    this.summaries = new SummaryStore(
      aggregates,
      settings,
      this.incidents,
      this.runbooks,
    );
  }

  /** Whether the organisation-wide aggregates are read in worker threads (an SQLite file). */
  get readsOffMainThread(): boolean {
    return !!this.reads;
  }

  /** Stops the read workers, if any. */
  async close(): Promise<void> {
    await this.reads?.destroy();
  }

  /** The change history of one record, oldest first. */
  history(
    recordType: HistoryEntry['recordType'],
    recordId: string,
  ): Promise<HistoryEntry[]> {
    return this.changes.read(recordType, recordId);
  }

  /** The data revision: changes with every committed write, on any replica (see `dataRevision`). */
  revision(): Promise<string> {
    return dataRevision(this.knex);
  }
}
