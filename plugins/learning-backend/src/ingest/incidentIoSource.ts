import { AuthenticationError, InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Severity } from '@learning-loop/plugin-learning-common';
import {
  checkTimestampTolerance,
  hmacSha256,
  learningServiceAnnotation,
  parseJsonBody,
  safeEqual,
  toIsoTimestamp,
  type IncidentSource,
  type IncidentSourceEvent,
  type IncidentWebhookRequest,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';

const catalogEntry = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  external_id: z.string().optional(),
});

const incidentSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  reference: z.string().optional(),
  permalink: z.string().optional(),
  summary: z.string().nullish(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  severity: z.looseObject({ name: z.string() }).nullish(),
  incident_status: z.looseObject({ category: z.string() }).nullish(),
  incident_timestamp_values: z
    .array(
      z.looseObject({
        incident_timestamp: z.looseObject({ name: z.string() }),
        value: z.looseObject({ value: z.string().nullish() }).nullish(),
      }),
    )
    .default([]),
  custom_field_entries: z
    .array(
      z.looseObject({
        values: z
          .array(z.looseObject({ value_catalog_entry: catalogEntry.nullish() }))
          .default([]),
      }),
    )
    .default([]),
});

/**
 * incident.io's own lifecycle timestamps (Settings → Timestamps; the defaults and their common renames), by name,
 * for Learning Loop's times: TTD, TTA, TTM and TTR are only as true as these.
 */
const timestampNames: Record<
  'startedAt' | 'detectedAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt',
  string[]
> = {
  startedAt: ['impact started', 'impact start', 'started at'],
  detectedAt: ['reported at', 'detected at', 'reported'],
  acknowledgedAt: ['accepted at', 'acknowledged at', 'accepted'],
  mitigatedAt: ['fixed at', 'mitigated at', 'stabilized at'],
  resolvedAt: ['resolved at', 'resolved'],
};

/** The incident.io event types that carry an incident: the rest (follow-ups, actions, private incidents) record nothing. */
const incidentEventTypes = [
  'public_incident.incident_created_v2',
  'public_incident.incident_updated_v2',
  'public_incident.incident_status_updated_v2',
];

const severities: Record<string, Severity> = {
  critical: 'SEV1',
  major: 'SEV2',
  minor: 'SEV3',
};

/**
 * Verifies incident.io's webhook signature (the Svix scheme): `webhook-signature` holds space-separated
 * `v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64 part of the
 * `whsec_` secret, and the timestamp must be within the tolerance.
 */
export function verifyIncidentIoSignature(
  request: IncidentWebhookRequest,
  secret: string,
  toleranceSeconds: number,
): void {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const header = request.headers['webhook-signature'];
  if (!id || !header) {
    throw new AuthenticationError(
      'Missing webhook-id or webhook-signature header',
    );
  }
  checkTimestampTolerance(timestamp, request.receivedAt, toleranceSeconds);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = hmacSha256(
    key,
    Buffer.concat([Buffer.from(`${id}.${timestamp}.`), request.rawBody]),
    'base64',
  );
  const valid = header
    .split(' ')
    .map(part => part.split(','))
    .some(
      ([version, signature]) =>
        version === 'v1' && safeEqual(signature ?? '', expected),
    );
  if (!valid) {
    throw new AuthenticationError('The incident.io signature does not match');
  }
}

/** An entity ref from a catalog entry's external id, when the catalog importer wrote one there. */
function entityRefOf(externalId: string | undefined): string | undefined {
  if (!externalId) return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(externalId, { defaultKind: 'component' }),
    );
  } catch {
    return undefined;
  }
}

/**
 * incident.io's public incident webhooks (`public_incident.incident_created_v2`, `..._updated_v2` and
 * `..._status_updated_v2`; every other documented event type answers 200 with nothing recorded). The
 * incident's catalog-powered custom fields ("Affected services", synced from Backstage by incident.io's catalog
 * importer) name the entities: by the entry's external id when it is an entity ref, else by the entry id in
 * `learning-loop.io/incident-io-service-id`.
 */
export function createIncidentIoSource(options: {
  secret: string;
  toleranceSeconds?: number;
}): IncidentSource {
  return {
    id: 'incident-io',
    verify: request =>
      verifyIncidentIoSignature(
        request,
        options.secret,
        options.toleranceSeconds ?? 300,
      ),
    parse(request): IncidentSourceEvent[] {
      const body = parseJsonBody(request) as Record<string, unknown>;
      const eventType =
        typeof body?.event_type === 'string' ? body.event_type : '';
      // every documented event type is accepted; only those about a public incident are recorded
      if (!incidentEventTypes.includes(eventType)) {
        return [];
      }
      // status updates carry the incident beside the old and new status
      const payload = body[eventType] as Record<string, unknown> | undefined;
      const parsed = incidentSchema.safeParse(
        payload && typeof payload.incident === 'object'
          ? payload.incident
          : payload,
      );
      if (!parsed.success) {
        throw new InputError(
          `Not an incident.io incident event: ${parsed.error.issues
            .map(i => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
      }
      const incident = parsed.data;
      const occurredAt =
        toIsoTimestamp(incident.updated_at) ?? request.receivedAt.toISOString();
      const stamp = (field: keyof typeof timestampNames) => {
        const names = timestampNames[field];
        const found = incident.incident_timestamp_values.find(
          t =>
            names.includes(t.incident_timestamp.name.trim().toLowerCase()) &&
            t.value?.value,
        );
        return toIsoTimestamp(found?.value?.value);
      };
      const entries = incident.custom_field_entries
        .flatMap(field => field.values)
        .map(value => value.value_catalog_entry)
        .filter(entry => !!entry);
      const category = incident.incident_status?.category;
      const closed = category === 'closed' || category === 'learning';
      const createdAt = toIsoTimestamp(incident.created_at);
      // the tool's own times where it has them; the creation and the closing update only where it has none
      const resolvedAt =
        stamp('resolvedAt') ?? (closed ? occurredAt : undefined);
      return [
        {
          deliveryId: request.headers['webhook-id']!,
          externalId: incident.id,
          eventType,
          occurredAt,
          serviceName: entries.map(e => e.name ?? e.id).join(', ') || undefined,
          entityRefs: entries
            .map(e => entityRefOf(e.external_id))
            .filter((ref): ref is string => !!ref),
          services: entries.map(e => ({
            annotation: learningServiceAnnotation('incident-io'),
            value: e.id,
          })),
          incident: {
            title: incident.reference
              ? `${incident.reference}: ${incident.name ?? ''}`.trim()
              : incident.name,
            severity: incident.severity
              ? severities[incident.severity.name.toLowerCase()]
              : undefined,
            startedAt: stamp('startedAt') ?? createdAt,
            detectedAt: stamp('detectedAt') ?? createdAt,
            acknowledgedAt: stamp('acknowledgedAt'),
            mitigatedAt: stamp('mitigatedAt'),
            externalUrl: incident.permalink,
            summary: incident.summary ?? undefined,
            resolvedAt,
          },
        },
      ];
    },
  };
}
