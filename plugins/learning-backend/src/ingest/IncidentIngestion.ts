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
import type {
  IncidentSource,
  IncidentSourceEvent,
  IncidentWebhookRequest,
} from '@learning-loop/plugin-learning-node';
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
    const incidentSource = this.incidentSourceOf(event.source);
    const waiting = await store.ingestEvents.unmappedOf(
      event.source,
      event.externalId,
    );
    const existing = await store.incidents.findExternal(
      incidentSource,
      event.externalId,
    );
    const { incident } = await this.apply(
      incidentSource,
      waiting.map(w => w.event),
      existing,
      existing?.entityRefs ?? entityRefs,
      actor,
    );
    await store.ingestEvents.markMapped(
      waiting.map(w => w.id),
      incident.id,
      actor,
    );
    return { incident, events: waiting.length };
  }

  private incidentSourceOf(sourceId: string): string {
    return this.sources.get(sourceId)?.incidentSource ?? sourceId;
  }

  private async receiveEvent(
    source: IncidentSource,
    event: IncidentSourceEvent,
    receivedAt: Date,
  ): Promise<IngestOutcome> {
    const { store } = this.deps;
    const base = { deliveryId: event.deliveryId, externalId: event.externalId };
    const claim = await store.ingestEvents.claim(source.id, event, receivedAt);
    if (!claim) {
      return { ...base, outcome: 'duplicate' };
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
        await store.ingestEvents.settle(claim, 'unmapped', null);
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
      await store.ingestEvents.settle(claim, 'applied', result.incident.id);
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

  /** The entities an event belongs to: named outright and present in the catalog, else found by annotation. */
  private async resolveEntities(event: IncidentSourceEvent): Promise<string[]> {
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
