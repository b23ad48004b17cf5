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
 * incident.io's public incident webhooks (`public_incident.incident_created_v2` and `..._updated_v2`). The
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
      if (!eventType.startsWith('public_incident.incident_')) {
        return [];
      }
      const parsed = incidentSchema.safeParse(body[eventType]);
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
      const entries = incident.custom_field_entries
        .flatMap(field => field.values)
        .map(value => value.value_catalog_entry)
        .filter(entry => !!entry);
      const category = incident.incident_status?.category;
      const closed = category === 'closed' || category === 'learning';
      const createdAt = toIsoTimestamp(incident.created_at);
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
            startedAt: createdAt,
            detectedAt: createdAt,
            externalUrl: incident.permalink,
            summary: incident.summary ?? undefined,
            resolvedAt: closed ? occurredAt : undefined,
          },
        },
      ];
    },
  };
}
