import type { Knex } from 'knex';
import { isPostgres } from './sql';
import {
  kindsExcludedFromMetrics,
  rate,
  toIsoTimestamp,
  type Deployment,
  type DeploymentIncident,
  type DeploymentInput,
  type DeploymentMetrics,
  type DeploymentPolicy,
  type MetricDeployment,
} from '@learning-loop/plugin-learning-common';
import type { History } from './history';
import { diffFields, found, newId, nowIso } from './records';
import {
  scopeEntities,
  type MetricsScope,
  type MetricsStore,
} from './MetricsStore';

type DeploymentRow = {
  id: string;
  entity_ref: string;
  environment: string;
  version: string | null;
  started_at: unknown;
  finished_at: unknown;
  outcome: string | null;
  source: string;
  external_id: string;
  url: string | null;
  description: string | null;
  revision: number;
  created_at: unknown;
  updated_at: unknown;
};

const toDeployment = (row: any): Deployment => ({
  id: row.id,
  entityRef: row.entity_ref,
  environment: row.environment,
  ...(row.version ? { version: row.version } : {}),
  startedAt: toIsoTimestamp(row.started_at)!,
  ...(row.finished_at ? { finishedAt: toIsoTimestamp(row.finished_at)! } : {}),
  ...(row.outcome ? { outcome: row.outcome } : {}),
  source: row.source,
  externalId: row.external_id,
  ...(row.url ? { url: row.url } : {}),
  ...(row.description ? { description: row.description } : {}),
  createdAt: toIsoTimestamp(row.created_at)!,
  updatedAt: toIsoTimestamp(row.updated_at)!,
});

const fieldsOf = (d: DeploymentInput | Deployment) => ({
  entityRef: d.entityRef,
  environment: d.environment,
  version: d.version ?? null,
  startedAt: d.startedAt,
  finishedAt: d.finishedAt ?? null,
  outcome: d.outcome ?? null,
  url: d.url ?? null,
  description: d.description ?? null,
});

/**
 * Deployments reported by deployment tools, and the change failure rate and recovery time computed from them in
 * SQL (the same definitions as `computeDeploymentMetrics` in learning-common).
 */
export class DeploymentStore {
  private readonly postgres: boolean;

  constructor(
    private readonly db: Knex,
    private readonly history: History,
    private readonly metrics: MetricsStore,
    private readonly policy: DeploymentPolicy,
  ) {
    this.postgres = isPostgres(db);
  }

  async get(id: string): Promise<Deployment> {
    return toDeployment(
      found(
        await this.db<DeploymentRow>('deployments').where({ id }).first(),
        'deployment',
        id,
      ),
    );
  }

  /** The deployment a tool reported under its id, if any. */
  async findExternal(
    source: string,
    externalId: string,
  ): Promise<Deployment | undefined> {
    const row = await this.db('deployments')
      .where({ source, external_id: externalId })
      .first();
    return row ? toDeployment(row) : undefined;
  }

  /** An entity's deployments, newest first. */
  async list(entityRef: string, limit: number): Promise<Deployment[]> {
    const rows = await this.db('deployments')
      .where({ entity_ref: entityRef })
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toDeployment);
  }

  /**
   * Records a deployment a tool reported: created the first time its (source, id) is seen, updated when the tool
   * says something new (it finished, it was rolled back), unchanged on a replay. Each change is in the history.
   */
  async upsert(
    input: DeploymentInput,
    actor: string,
  ): Promise<{
    deployment: Deployment;
    operation: 'created' | 'updated' | 'unchanged';
  }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(tx => this.upsertIn(tx, input, actor));
      } catch (error) {
        // two deliveries of a new deployment at once: the loser reads the winner's row and updates it
        const raced = /unique|duplicate key/i.test(String(error));
        if (!raced || attempt >= 3) throw error;
      }
    }
  }

  private async upsertIn(tx: Knex, input: DeploymentInput, actor: string) {
    const now = nowIso();
    const current = await tx('deployments')
      .where({ source: input.source, external_id: input.externalId })
      .first();
    const wanted = fieldsOf(input);
    if (!current) {
      const id = newId();
      await tx('deployments').insert({
        id,
        entity_ref: wanted.entityRef,
        environment: wanted.environment,
        version: wanted.version,
        started_at: wanted.startedAt,
        finished_at: wanted.finishedAt,
        outcome: wanted.outcome,
        source: input.source,
        external_id: input.externalId,
        url: wanted.url,
        description: wanted.description,
        revision: 1,
        created_at: now,
        updated_at: now,
      });
      await this.history.write(tx, {
        recordType: 'deployment',
        recordId: id,
        operation: 'create',
        actor,
        at: now,
        version: 1,
        changes: diffFields({}, { ...input }),
      });
      return {
        deployment: toDeployment(await tx('deployments').where({ id }).first()),
        operation: 'created' as const,
      };
    }
    const before = fieldsOf(toDeployment(current));
    const changes = diffFields(before, wanted);
    if (changes.length === 0) {
      return {
        deployment: toDeployment(current),
        operation: 'unchanged' as const,
      };
    }
    const revision = Number(current.revision) + 1;
    await tx('deployments').where({ id: current.id }).update({
      entity_ref: wanted.entityRef,
      environment: wanted.environment,
      version: wanted.version,
      started_at: wanted.startedAt,
      finished_at: wanted.finishedAt,
      outcome: wanted.outcome,
      url: wanted.url,
      description: wanted.description,
      revision,
      updated_at: now,
    });
    await this.history.write(tx, {
      recordType: 'deployment',
      recordId: current.id,
      operation: 'update',
      actor,
      at: now,
      version: revision,
      changes,
    });
    return {
      deployment: toDeployment(
        await tx('deployments').where({ id: current.id }).first(),
      ),
      operation: 'updated' as const,
    };
  }

  /** A timestamp expression `hours` after a column, in the database's own arithmetic. */
  private plusHours(column: string, hours: number): Knex.Raw {
    return this.postgres
      ? this.db.raw(`(${column} + (? * interval '1 hour'))`, [hours])
      : this.db.raw(`strftime('%Y-%m-%dT%H:%M:%fZ', ${column}, ?)`, [
          `+${hours} hours`,
        ]);
  }

  /** Incidents that name deployment `d` and started within the window after it finished. */
  private naming(d: string) {
    return this.db('incidents as ni')
      .whereRaw(`ni.deployment_id = ${d}.id`)
      .whereNull('ni.duplicate_of_id')
      .whereNotIn('ni.kind', [...kindsExcludedFromMetrics])
      .where(
        'ni.started_at',
        '<=',
        this.plusHours(`${d}.finished_at`, this.policy.failureWindowHours),
      );
  }

  /** The deployments that count in [from, to), each with `failure` (1 for a change failure) and its recovery. */
  private counted(scope: MetricsScope, from: string, to: string) {
    const named = this.naming('d').select(this.db.raw('1'));
    const failure = this.db.raw(
      `case when d.outcome in ('failed', 'rolled-back') or exists (${named.toQuery()}) then 1 else 0 end`,
    );
    const namedCount = this.naming('d').count('*');
    const namedOpen = this.naming('d').whereNull('ni.resolved_at').count('*');
    const namedResolved = this.naming('d').max('ni.resolved_at');
    const nextSuccess = this.db('deployments as ok')
      .whereRaw('ok.entity_ref = d.entity_ref')
      .whereRaw('ok.environment = d.environment')
      .whereRaw('ok.id <> d.id')
      .where('ok.outcome', 'succeeded')
      .whereRaw('ok.finished_at > d.finished_at')
      .min('ok.finished_at');
    return this.db('deployments as d')
      .modify(q => scopeEntities(q, 'd.entity_ref', scope))
      .whereIn('d.environment', this.policy.environments)
      .whereNotNull('d.finished_at')
      .where('d.finished_at', '>=', from)
      .where('d.finished_at', '<', to)
      .select(
        'd.entity_ref',
        'd.finished_at',
        this.db.raw(`${failure.toQuery()} as failure`),
        this.db.raw(
          `case when (${namedCount.toQuery()}) > 0 then (case when (${namedOpen.toQuery()}) = 0 then (${namedResolved.toQuery()}) end) else (${nextSuccess.toQuery()}) end as recovered_at`,
        ),
      );
  }

  /** The scope's change failure rate and recovery time over [from, to). */
  async deploymentMetrics(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<DeploymentMetrics> {
    const counted = this.counted(scope, from, to);
    const [totals, recovery] = await Promise.all([
      this.db
        .from(counted.clone().as('c'))
        .select(
          this.db.raw('count(*) as n'),
          this.db.raw('coalesce(sum(c.failure), 0) as failures'),
        )
        .first(),
      this.metrics.stats(
        this.db
          .from(counted.clone().as('c'))
          .where('c.failure', 1)
          .whereNotNull('c.recovered_at')
          .select(
            this.metrics
              .minutes('c.finished_at', 'c.recovered_at')
              .wrap('(', ') as value'),
          ),
      ),
    ]);
    return {
      from,
      to,
      deployments: Number((totals as any)?.n ?? 0),
      changeFailureRate: rate(
        Number((totals as any)?.failures ?? 0),
        Number((totals as any)?.n ?? 0),
      ),
      recoveryMinutes: recovery,
    };
  }

  /** The recovery minutes of each recovered change failure in [from, to): what a comparison resamples. */
  async recoverySamples(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<number[]> {
    const rows: any[] = await this.db
      .from(this.counted(scope, from, to).as('c'))
      .where('c.failure', 1)
      .whereNotNull('c.recovered_at')
      .select(
        this.metrics
          .minutes('c.finished_at', 'c.recovered_at')
          .wrap('(', ') as value'),
      );
    return rows.map(r => Number(r.value));
  }

  /** Deployments and change failures per entity over [from, to), for the breakdowns. */
  async perEntity(
    scope: MetricsScope,
    from: string,
    to: string,
  ): Promise<
    Array<{ entityRef: string; deployments: number; failures: number }>
  > {
    const rows: any[] = await this.db
      .from(this.counted(scope, from, to).as('c'))
      .groupBy('c.entity_ref')
      .select(
        'c.entity_ref',
        this.db.raw('count(*) as n'),
        this.db.raw('sum(c.failure) as failures'),
      );
    return rows.map(r => ({
      entityRef: r.entity_ref,
      deployments: Number(r.n),
      failures: Number(r.failures ?? 0),
    }));
  }

  /** Every deployment of the scope and the incidents naming one: what `computeDeploymentMetrics` reads in tests. */
  async inputs(scope: MetricsScope): Promise<{
    deployments: MetricDeployment[];
    incidents: DeploymentIncident[];
  }> {
    const deployments: any[] = await this.db('deployments')
      .modify(q => scopeEntities(q, 'entity_ref', scope))
      .select();
    const incidents = await this.db('incidents')
      .whereIn(
        'deployment_id',
        deployments.map(d => d.id),
      )
      .select();
    return {
      deployments: deployments.map(d => ({
        id: d.id,
        entityRef: d.entity_ref,
        environment: d.environment,
        startedAt: toIsoTimestamp(d.started_at)!,
        finishedAt: toIsoTimestamp(d.finished_at) ?? null,
        outcome: d.outcome,
      })),
      incidents: incidents.map(i => ({
        deploymentId: i.deployment_id,
        kind: i.kind,
        duplicateOfId: i.duplicate_of_id,
        startedAt: toIsoTimestamp(i.started_at)!,
        resolvedAt: toIsoTimestamp(i.resolved_at) ?? null,
      })),
    };
  }
}
