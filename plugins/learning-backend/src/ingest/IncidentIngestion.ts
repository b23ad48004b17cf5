import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ingestIncidentsSchema,
  type Incident,
  type IncidentSource as IncidentSourceName,
  type IngestEventMapResult,
  type IngestOutcome,
} from '@learning-loop/plugin-learning-common';
import {
  isDeploymentEvent,
  type DeploymentSourceEvent,
  type IncidentSource,
  type IncidentSourceEvent,
  type IncidentWebhookRequest,
  type SourceEvent,
} from '@learning-loop/plugin-learning-node';
import {
  deploymentInputSchema,
  type Deployment,
} from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';
import { parseInput } from '../lib/parseInput';

export type { IngestOutcome };

const ENTITY_FIELDS = ['kind', 'metadata.namespace', 'metadata.name'];
const ingestItemSchema = ingestIncidentsSchema.shape.incidents.element;
type Fields = IncidentSourceEvent['incident'];

/** Folds events over what is stored: the tool's latest word wins, but the first acknowledge/mitigate/resolve time stays. */
function merge(state: Fields, event: IncidentSourceEvent): Fields {
  const next: Fields = { ...state };
  for (const [field, value] of Object.entries(event.incident) as Array<
    [keyof Fields, string | undefined]
  >) {
    if (value === undefined) continue;
    const firstWins =
      field === 'acknowledgedAt' ||
      field === 'mitigatedAt' ||
      field === 'resolvedAt';
    if (!firstWins || next[field] === undefined) {
      (next as Record<string, string>)[field] = value;
    }
  }
  return next;
}

function fieldsOf(incident: Incident): Fields {
  const defined = <T>(value: T | null) => value ?? undefined;
  return {
    title: incident.title,
    severity: incident.severity,
    kind: incident.kind,
    startedAt: incident.startedAt,
    detectedAt: defined(incident.detectedAt),
    acknowledgedAt: defined(incident.acknowledgedAt),
    mitigatedAt: defined(incident.mitigatedAt),
    resolvedAt: defined(incident.resolvedAt),
    externalUrl: defined(incident.externalUrl),
    summary: defined(incident.summary),
  };
}

/**
 * Turns verified webhook deliveries into incidents: each delivery once, each tool incident one Learning Loop
 * incident, on the catalog entity its service maps to; events no entity matches wait in `ingest_events` until
 * someone maps them.
 */
export class IncidentIngestion {
  private readonly sources = new Map<string, IncidentSource>();

  constructor(
    private readonly deps: {
      store: LearningStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  addSource(source: IncidentSource): void {
    if (!/^[a-z0-9-]{1,32}$/.test(source.id)) {
      throw new Error(
        `Incident source id "${source.id}" must be 1-32 lower-case letters, digits or dashes`,
      );
    }
    if (this.sources.has(source.id)) {
      throw new Error(`Incident source "${source.id}" is added twice`);
    }
    this.sources.set(source.id, source);
  }

  sourceIds(): string[] {
    return [...this.sources.keys()].sort();
  }

  /** The source at /ingest/{id}; unknown or unconfigured ones are a 404. */
  source(id: string): IncidentSource {
    const source = this.sources.get(id);
    if (!source) {
      throw new NotFoundError(
        `No incident source "${id}" is configured; configured: ${
          this.sourceIds().join(', ') || 'none'
        }`,
      );
    }
    return source;
  }

  /** Verifies a delivery (401 on bad proof, before anything is read or stored), then records its events. */
  async receive(
    source: IncidentSource,
    request: IncidentWebhookRequest,
  ): Promise<IngestOutcome[]> {
    await source.verify(request);
    const events = await source.parse(request);
    const outcomes: IngestOutcome[] = [];
    for (const event of events) {
      outcomes.push(await this.receiveEvent(source, event, request.receivedAt));
    }
    return outcomes;
  }

  /** Maps a waiting event, and every other waiting event of the same tool incident, to entities. */
  async map(
    eventId: string,
    entityRefs: string[],
    actor: string,
  ): Promise<IngestEventMapResult> {
    const { store } = this.deps;
    const event = await store.ingestEvents.get(eventId);
    if (event.status !== 'unmapped') {
      throw new ConflictError(
        `Event ${eventId} is already ${event.status} (incident ${event.incidentId})`,
      );
    }
    const waiting = await store.ingestEvents.unmappedOf(
      event.source,
      event.externalId,
    );
    if (waiting.some(w => isDeploymentEvent(w.event))) {
      const { deployment } = await this.applyDeployment(
        event.source,
        waiting.map(w => w.event as DeploymentSourceEvent),
        entityRefs[0],
        actor,
      );
      await store.ingestEvents.markMapped(
        waiting.map(w => w.id),
        { deploymentId: deployment.id },
        actor,
      );
      return { deployment, events: waiting.length };
    }
    const incidentSource = this.incidentSourceOf(event.source);
    const existing = await store.incidents.findExternal(
      incidentSource,
      event.externalId,
    );
    const { incident } = await this.apply(
      incidentSource,
      waiting.map(w => w.event as IncidentSourceEvent),
      existing,
      existing?.entityRefs ?? entityRefs,
      actor,
    );
    await store.ingestEvents.markMapped(
      waiting.map(w => w.id),
      { incidentId: incident.id },
      actor,
    );
    return { incident, events: waiting.length };
  }

  private incidentSourceOf(sourceId: string): string {
    return this.sources.get(sourceId)?.incidentSource ?? sourceId;
  }

  private async receiveEvent(
    source: IncidentSource,
    event: SourceEvent,
    receivedAt: Date,
  ): Promise<IngestOutcome> {
    const { store } = this.deps;
    const base = { deliveryId: event.deliveryId, externalId: event.externalId };
    const claim = await store.ingestEvents.claim(source.id, event, receivedAt);
    if (!claim) {
      return { ...base, outcome: 'duplicate' };
    }
    if (isDeploymentEvent(event)) {
      return this.receiveDeployment(source, event, claim, base);
    }
    try {
      const incidentSource = source.incidentSource ?? source.id;
      const existing = await store.incidents.findExternal(
        incidentSource,
        event.externalId,
      );
      const entityRefs =
        existing?.entityRefs ?? (await this.resolveEntities(event));
      if (entityRefs.length === 0) {
        await store.ingestEvents.settle(claim, 'unmapped', {});
        this.deps.logger.info(
          `Learning Loop: ${source.id} incident ${event.externalId} (${
            event.serviceName ?? 'no service'
          }) matches no catalog entity; kept for mapping`,
        );
        return { ...base, outcome: 'unmapped' };
      }
      const result = await this.apply(
        incidentSource,
        [event],
        existing,
        entityRefs,
        `webhook:${source.id}`,
      );
      await store.ingestEvents.settle(claim, 'applied', {
        incidentId: result.incident.id,
      });
      return {
        ...base,
        outcome: result.operation,
        incidentId: result.incident.id,
      };
    } catch (error) {
      await store.ingestEvents.release(claim);
      throw error;
    }
  }

  private async apply(
    incidentSource: string,
    events: IncidentSourceEvent[],
    existing: Incident | undefined,
    entityRefs: string[],
    actor: string,
  ) {
    const fields = events.reduce(
      merge,
      existing ? fieldsOf(existing) : ({} as Fields),
    );
    const first = events[0];
    const input = parseInput(
      ingestItemSchema,
      {
        title: (
          fields.title || `${incidentSource} incident ${first.externalId}`
        ).slice(0, 300),
        severity: fields.severity ?? 'SEV3',
        kind: fields.kind ?? 'incident',
        entityRefs,
        startedAt: fields.startedAt ?? first.occurredAt,
        detectedAt: fields.detectedAt,
        acknowledgedAt: fields.acknowledgedAt,
        mitigatedAt: fields.mitigatedAt,
        resolvedAt: fields.resolvedAt,
        externalUrl: /^https?:\/\//i.test(fields.externalUrl ?? '')
          ? fields.externalUrl
          : undefined,
        summary: fields.summary,
        // validated as a known source; sources added by modules carry their own id, set below
        source: 'webhook',
        externalId: first.externalId,
        failureModes: existing?.failureModes ?? [],
      },
      'body',
    );
    return this.deps.store.incidents.upsertExternal(
      { ...input, source: incidentSource as IncidentSourceName },
      actor,
    );
  }

  /** Records a deployment event on the entity it maps to (the first, when several match), or keeps it for mapping. */
  private async receiveDeployment(
    source: IncidentSource,
    event: DeploymentSourceEvent,
    claim: string,
    base: { deliveryId: string; externalId: string },
  ): Promise<IngestOutcome> {
    const { store } = this.deps;
    try {
      const existing = await store.deployments.findExternal(
        source.id,
        event.externalId,
      );
      const entityRef =
        existing?.entityRef ?? (await this.resolveEntities(event))[0];
      if (!entityRef) {
        await store.ingestEvents.settle(claim, 'unmapped', {});
        this.deps.logger.info(
          `Learning Loop: ${source.id} deployment ${event.externalId} (${
            event.serviceName ?? 'no service'
          }) matches no catalog entity; kept for mapping`,
        );
        return { ...base, outcome: 'unmapped' };
      }
      const result = await this.applyDeployment(
        source.id,
        [event],
        entityRef,
        `webhook:${source.id}`,
      );
      await store.ingestEvents.settle(claim, 'applied', {
        deploymentId: result.deployment.id,
      });
      return {
        ...base,
        outcome: result.operation,
        deploymentId: result.deployment.id,
      };
    } catch (error) {
      await store.ingestEvents.release(claim);
      throw error;
    }
  }

  /** Folds deployment events over the stored deployment (the latest word wins) and records it. */
  private async applyDeployment(
    sourceId: string,
    events: DeploymentSourceEvent[],
    entityRef: string,
    actor: string,
  ): Promise<{
    deployment: Deployment;
    operation: IngestOutcome['outcome'] & ('created' | 'updated' | 'unchanged');
  }> {
    const existing = await this.deps.store.deployments.findExternal(
      sourceId,
      events[0].externalId,
    );
    const fields: DeploymentSourceEvent['deployment'] = {
      environment: existing?.environment,
      version: existing?.version,
      startedAt: existing?.startedAt,
      finishedAt: existing?.finishedAt,
      outcome: existing?.outcome,
      url: existing?.url,
      description: existing?.description,
    };
    for (const event of events) {
      for (const [field, value] of Object.entries(event.deployment)) {
        if (value !== undefined)
          (fields as Record<string, unknown>)[field] = value;
      }
    }
    const input = parseInput(
      deploymentInputSchema,
      {
        entityRef,
        environment: fields.environment ?? 'production',
        version: fields.version,
        startedAt: fields.startedAt ?? events[0].occurredAt,
        finishedAt: fields.outcome
          ? fields.finishedAt ?? events[events.length - 1].occurredAt
          : undefined,
        outcome: fields.outcome,
        source: sourceId,
        externalId: events[0].externalId,
        url: /^https?:\/\//i.test(fields.url ?? '') ? fields.url : undefined,
        description: fields.description?.slice(0, 2000),
      },
      'body',
    );
    return this.deps.store.deployments.upsert(input, actor);
  }

  /** The entities an event belongs to: named outright and present in the catalog, else found by annotation. */
  private async resolveEntities(event: SourceEvent): Promise<string[]> {
    const { catalog, auth } = this.deps;
    const credentials = await auth.getOwnServiceCredentials();
    if (event.entityRefs?.length) {
      const { items } = await catalog.getEntitiesByRefs(
        { entityRefs: event.entityRefs, fields: ENTITY_FIELDS },
        { credentials },
      );
      const refs = items.flatMap(e => (e ? [stringifyEntityRef(e)] : []));
      if (refs.length) return [...new Set(refs)].sort();
    }
    for (const service of event.services) {
      const { items } = await catalog.getEntities(
        {
          filter: {
            [`metadata.annotations.${service.annotation}`]: service.value,
          },
          fields: ENTITY_FIELDS,
          limit: 50,
        },
        { credentials },
      );
      if (items.length) return items.map(e => stringifyEntityRef(e)).sort();
    }
    return [];
  }
}
