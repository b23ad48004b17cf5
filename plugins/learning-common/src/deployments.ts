import { z } from 'zod';
import { entityRefSchema, timestampSchema, trimmed, urlSchema } from './fields';
import { durationStats, rate, type DurationStats, type Rate } from './metrics';
import { kindsExcludedFromMetrics, type IncidentKind } from './vocabulary';

/** How a deployment ended; a deployment still running has no outcome. */
export const deploymentOutcomes = [
  'succeeded',
  'failed',
  'rolled-back',
] as const;
export type DeploymentOutcome = (typeof deploymentOutcomes)[number];

/** A deployment of one catalog entity to one environment, as a deployment tool reported it. */
export interface Deployment {
  id: string;
  entityRef: string;
  environment: string;
  version?: string;
  startedAt: string;
  /** Absent while the deployment runs. */
  finishedAt?: string;
  outcome?: DeploymentOutcome;
  /** The reporting tool, and its id for the deployment: a replay updates, never duplicates. */
  source: string;
  externalId: string;
  url?: string;
  description?: string;
  createdAt: string;
  updatedAt: string;
}

/** One deployment as a tool sends it (POST /deployments:batch, the generic webhook's deployment event). */
export const deploymentInputSchema = z
  .object({
    entityRef: entityRefSchema,
    environment: trimmed(100).default('production'),
    version: trimmed(200).optional(),
    startedAt: timestampSchema,
    finishedAt: timestampSchema.optional(),
    outcome: z.enum(deploymentOutcomes).optional(),
    source: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,32}$/, 'lower-case letters, digits or dashes'),
    externalId: trimmed(200),
    url: urlSchema.optional(),
    description: z.string().trim().max(2000).optional(),
  })
  .strict()
  .refine(d => !d.finishedAt || d.finishedAt >= d.startedAt, {
    message: 'must not be before startedAt',
    path: ['finishedAt'],
  })
  .refine(d => !d.outcome || d.finishedAt, {
    message: 'is required with an outcome',
    path: ['finishedAt'],
  });
export type DeploymentInput = z.infer<typeof deploymentInputSchema>;

/** Body of POST /deployments:batch. */
export const ingestDeploymentsSchema = z
  .object({ deployments: z.array(deploymentInputSchema).min(1).max(500) })
  .strict();

/** Query of GET /deployments. */
export const listDeploymentsQuerySchema = z
  .object({
    entityRef: entityRefSchema,
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type ListDeploymentsQueryInput = z.input<
  typeof listDeploymentsQuerySchema
>;

/** The hours after a deployment in which an incident naming it makes it a change failure. */
export const DEFAULT_CHANGE_FAILURE_WINDOW_HOURS = 72;

/** The environments whose deployments count unless configured. */
export const DEFAULT_COUNTED_ENVIRONMENTS = ['production'];

/** The deployment figures of one period (see the README, "Change failure rate and recovery time"). */
export interface DeploymentMetrics {
  from: string;
  to: string;
  /** Deployments to a counted environment that finished in the period. */
  deployments: number;
  /** Change failures ÷ deployments. */
  changeFailureRate: Rate;
  /** Minutes from a change failure's finish to its recovery, over the period's recovered change failures. */
  recoveryMinutes: DurationStats;
}

/** What a deployment contributes to the figures. */
export interface MetricDeployment {
  id: string;
  entityRef: string;
  environment: string;
  startedAt: string;
  finishedAt?: string | null;
  outcome?: string | null;
}

/** An incident that names the deployment that triggered it. */
export interface DeploymentIncident {
  deploymentId: string;
  kind: string;
  duplicateOfId?: string | null;
  startedAt: string;
  resolvedAt?: string | null;
}

const hours = (iso: string, h: number) =>
  new Date(Date.parse(iso) + h * 3_600_000).toISOString();
const minutesBetween = (from: string, to: string) =>
  (Date.parse(to) - Date.parse(from)) / 60_000;

/**
 * Change failure rate and failed-deployment recovery time, as DORA defines them, from the records:
 *
 * - a deployment counts when it finished in [from, to) in a counted environment;
 * - it is a change failure when it failed or was rolled back (its outcome), or when an incident that names it
 *   started within `failureWindowHours` of its finish (game days and duplicates left out);
 * - a change failure recovers when the incidents naming it are all resolved (the last resolution), else when the
 *   next successful deployment of the same entity and environment finishes; the recovery time runs from its finish.
 *
 * The SQL in the backend computes the same; a test holds them equal on every database.
 */
export function computeDeploymentMetrics(
  deployments: MetricDeployment[],
  incidents: DeploymentIncident[],
  from: string,
  to: string,
  options: { failureWindowHours: number; environments: string[] },
): DeploymentMetrics {
  const finished = deployments.filter(
    d => d.finishedAt && options.environments.includes(d.environment),
  );
  const counted = finished.filter(
    d => d.finishedAt! >= from && d.finishedAt! < to,
  );
  const naming = (d: MetricDeployment) =>
    incidents.filter(
      i =>
        i.deploymentId === d.id &&
        !kindsExcludedFromMetrics.includes(i.kind as IncidentKind) &&
        !i.duplicateOfId &&
        i.startedAt <= hours(d.finishedAt!, options.failureWindowHours),
    );
  const sameTarget = (d: MetricDeployment, other: MetricDeployment) =>
    other.id !== d.id &&
    other.entityRef === d.entityRef &&
    other.environment === d.environment;
  const failures = counted.filter(
    d =>
      d.outcome === 'failed' ||
      d.outcome === 'rolled-back' ||
      naming(d).length > 0,
  );
  const recoveries = failures.flatMap(d => {
    const named = naming(d);
    let recoveredAt: string | undefined;
    if (named.length) {
      if (named.some(i => !i.resolvedAt)) return [];
      recoveredAt = named
        .map(i => i.resolvedAt!)
        .sort()
        .at(-1);
    } else {
      recoveredAt = finished
        .filter(
          o =>
            sameTarget(d, o) &&
            o.outcome === 'succeeded' &&
            o.finishedAt! > d.finishedAt!,
        )
        .map(o => o.finishedAt!)
        .sort()[0];
    }
    return recoveredAt ? [minutesBetween(d.finishedAt!, recoveredAt)] : [];
  });
  return {
    from,
    to,
    deployments: counted.length,
    changeFailureRate: rate(failures.length, counted.length),
    recoveryMinutes: durationStats(recoveries),
  };
}
