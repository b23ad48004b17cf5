import type { Knex } from 'knex';

/**
 * The last start of each scheduled job, claimed atomically: a replica runs a job only when its claim succeeds, so
 * two runs of one job are never closer than the gap asked for, whatever the scheduler's catch-up does.
 */
export class JobRunStore {
  constructor(private readonly db: Knex) {}

  /** Claims a run of `jobId` unless it last started less than `minGapMs` before `now`; true when claimed. */
  async claim(
    jobId: string,
    minGapMs: number,
    now: Date = new Date(),
  ): Promise<boolean> {
    await this.db('learning_job_runs')
      .insert({
        job_id: jobId,
        last_started_at: new Date(0).toISOString(),
      })
      .onConflict('job_id')
      .ignore();
    const updated = await this.db('learning_job_runs')
      .where('job_id', jobId)
      .where(
        'last_started_at',
        '<=',
        new Date(now.getTime() - minGapMs).toISOString(),
      )
      .update({ last_started_at: now.toISOString() });
    return Number(updated) === 1;
  }
}
