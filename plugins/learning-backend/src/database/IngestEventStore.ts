import type { Knex } from 'knex';
import type {
  IngestEvent,
  IngestEventStatus,
  ListIngestEventsQuery,
  Page,
} from '@learning-loop/plugin-learning-common';
import type {
  DeploymentSourceEvent,
  IncidentSourceEvent,
  ServiceReference,
  SourceEvent,
} from '@learning-loop/plugin-learning-node';
import { found, newId, nowIso } from './records';
import { parseJson } from './sql';
import { readPage } from './paging';

interface IngestEventRow {
  id: string;
  source: string;
  delivery_id: string;
  external_id: string;
  event_type: string;
  service_name: string | null;
  services: string;
  event: string;
  status: IngestEventStatus | 'pending';
  incident_id: string | null;
  deployment_id: string | null;
  received_at: string | Date;
  mapped_at: string | Date | null;
  mapped_by: string | null;
}

const iso = (value: string | Date | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function toIngestEvent(row: IngestEventRow): IngestEvent {
  const event = parseJson<Partial<SourceEvent>>(row.event, {});
  const deployment = event.type === 'deployment';
  return {
    id: row.id,
    source: row.source,
    deliveryId: row.delivery_id,
    externalId: row.external_id,
    eventType: row.event_type,
    title:
      ((event as Partial<DeploymentSourceEvent>).deployment?.description ??
        (event as Partial<IncidentSourceEvent>).incident?.title) ||
      null,
    serviceName: row.service_name,
    services: parseJson<ServiceReference[]>(row.services, []),
    status: row.status === 'pending' ? 'unmapped' : row.status,
    recordType: deployment ? 'deployment' : 'incident',
    incidentId: row.incident_id,
    deploymentId: row.deployment_id ?? null,
    receivedAt: iso(row.received_at)!,
    mappedAt: iso(row.mapped_at),
    mappedBy: row.mapped_by,
  };
}

/**
 * Webhook events as received. A row is claimed before its event is applied, so a second delivery with the same id,
 * even a concurrent one, finds it and changes nothing.
 */
export class IngestEventStore {
  constructor(private readonly db: Knex) {}

  /** Claims a delivery; undefined when it was received before (a replay). */
  async claim(
    source: string,
    event: SourceEvent,
    receivedAt: Date,
  ): Promise<string | undefined> {
    const id = newId();
    await this.db('ingest_events')
      .insert({
        id,
        source,
        delivery_id: event.deliveryId,
        external_id: event.externalId,
        event_type: event.eventType,
        service_name: event.serviceName?.slice(0, 300) ?? null,
        services: JSON.stringify(event.services),
        event: JSON.stringify(event),
        status: 'pending',
        incident_id: null,
        received_at: receivedAt.toISOString(),
      })
      .onConflict(['source', 'delivery_id'])
      .ignore();
    const row = await this.db<IngestEventRow>('ingest_events')
      .where({ source, delivery_id: event.deliveryId })
      .first('id');
    return row?.id === id ? id : undefined;
  }

  /** Records how a claimed event ended. */
  async settle(
    id: string,
    status: IngestEventStatus,
    record: { incidentId?: string; deploymentId?: string },
  ): Promise<void> {
    await this.db('ingest_events')
      .where({ id })
      .update({
        status,
        incident_id: record.incidentId ?? null,
        deployment_id: record.deploymentId ?? null,
      });
  }

  /** Forgets a claim whose event could not be applied, so the tool's retry is not taken for a replay. */
  async release(id: string): Promise<void> {
    await this.db('ingest_events').where({ id, status: 'pending' }).delete();
  }

  async get(id: string): Promise<IngestEvent> {
    return toIngestEvent(
      found(
        await this.db<IngestEventRow>('ingest_events').where({ id }).first(),
        'ingest event',
        id,
      ),
    );
  }

  /** The unmapped events of one incident of a tool, oldest first, with the events as the tool sent them. */
  async unmappedOf(
    source: string,
    externalId: string,
  ): Promise<Array<{ id: string; event: SourceEvent }>> {
    const rows = await this.db<IngestEventRow>('ingest_events')
      .where({ source, external_id: externalId, status: 'unmapped' })
      .orderBy('received_at', 'asc')
      .orderBy('id', 'asc');
    return rows.map(row => ({
      id: row.id,
      event: parseJson<SourceEvent>(row.event, {} as any),
    }));
  }

  async markMapped(
    ids: string[],
    record: { incidentId?: string; deploymentId?: string },
    actor: string,
  ): Promise<void> {
    await this.db('ingest_events')
      .whereIn('id', ids)
      .update({
        status: 'mapped',
        incident_id: record.incidentId ?? null,
        deployment_id: record.deploymentId ?? null,
        mapped_at: nowIso(),
        mapped_by: actor,
      });
  }

  /**
   * A page of received events; with `readable` (entity refs), events that became an incident are kept when the
   * incident is on one of these entities (events not matched to any entity belong to nobody yet and stay).
   */
  async list(
    query: ListIngestEventsQuery,
    readable?: string[],
  ): Promise<Page<IngestEvent>> {
    const base = this.db<IngestEventRow>('ingest_events').where(
      'status',
      query.status,
    );
    if (readable) {
      const refs = readable.length ? readable : [''];
      base.where(q =>
        q
          .where(w => w.whereNull('incident_id').whereNull('deployment_id'))
          .orWhereIn('incident_id', sub =>
            sub
              .select('incident_id')
              .from('incident_entities')
              .whereIn('entity_ref', refs),
          )
          .orWhereIn('deployment_id', sub =>
            sub.select('id').from('deployments').whereIn('entity_ref', refs),
          ),
      );
    }
    if (query.source) base.where('source', query.source);
    return readPage(base, {
      table: 'ingest_events',
      sortColumn: 'received_at',
      query,
      toItems: (rows: IngestEventRow[]) => rows.map(toIngestEvent),
    });
  }
}
