import { AuthenticationError } from '@backstage/errors';
import {
  deploymentOutcomes,
  entityRefSchema,
  incidentKinds,
  severities,
  timestampSchema,
} from '@learning-loop/plugin-learning-common';
import {
  checkTimestampTolerance,
  hmacSha256,
  learningServiceAnnotation,
  parseJsonBody,
  safeEqual,
  type DeploymentSourceEvent,
  type IncidentSource,
  type IncidentWebhookRequest,
  type SourceEvent,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';
import { parseInput } from '../lib/parseInput';

/** The signature header of the generic format: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const GENERIC_SIGNATURE_HEADER = 'x-learning-loop-signature';

/** The generic incident event: documented in the README, for tools without a receiver of their own. */
export const genericEventSchema = z
  .object({
    deliveryId: z.string().trim().min(1).max(200),
    eventType: z.string().trim().min(1).max(100).default('incident.updated'),
    incident: z
      .object({
        id: z.string().trim().min(1).max(200),
        title: z.string().trim().min(1).max(300).optional(),
        severity: z.enum(severities).optional(),
        kind: z.enum(incidentKinds).optional(),
        service: z.string().trim().min(1).max(200).optional(),
        entityRefs: z.array(entityRefSchema).max(50).optional(),
        startedAt: timestampSchema.optional(),
        detectedAt: timestampSchema.optional(),
        acknowledgedAt: timestampSchema.optional(),
        mitigatedAt: timestampSchema.optional(),
        resolvedAt: timestampSchema.optional(),
        url: z.url().max(2000).optional(),
        summary: z.string().max(20000).optional(),
      })
      .strict(),
  })
  .strict();

/** The generic deployment event: the same envelope with `deployment` in place of `incident`. */
export const genericDeploymentEventSchema = z
  .object({
    deliveryId: z.string().trim().min(1).max(200),
    eventType: z.string().trim().min(1).max(100).default('deployment.updated'),
    deployment: z
      .object({
        id: z.string().trim().min(1).max(200),
        service: z.string().trim().min(1).max(200).optional(),
        entityRefs: z.array(entityRefSchema).max(50).optional(),
        environment: z.string().trim().min(1).max(100).optional(),
        version: z.string().trim().min(1).max(200).optional(),
        startedAt: timestampSchema.optional(),
        finishedAt: timestampSchema.optional(),
        outcome: z.enum(deploymentOutcomes).optional(),
        url: z.url().max(2000).optional(),
        description: z.string().max(2000).optional(),
      })
      .strict(),
  })
  .strict();

/** Verifies the generic format's signature, including its timestamp tolerance. */
export function verifyGenericSignature(
  request: IncidentWebhookRequest,
  secret: string,
  toleranceSeconds: number,
): void {
  const header = request.headers[GENERIC_SIGNATURE_HEADER];
  if (!header) {
    throw new AuthenticationError(`Missing ${GENERIC_SIGNATURE_HEADER} header`);
  }
  const parts = new Map(
    header.split(',').map(part => {
      const [key, ...rest] = part.trim().split('=');
      return [key, rest.join('=')] as const;
    }),
  );
  const t = parts.get('t');
  checkTimestampTolerance(t, request.receivedAt, toleranceSeconds);
  const expected = hmacSha256(
    secret,
    Buffer.concat([Buffer.from(`${t}.`), request.rawBody]),
    'hex',
  );
  if (!safeEqual(parts.get('v1') ?? '', expected)) {
    throw new AuthenticationError('The signature does not match');
  }
}

/**
 * The generic JSON webhook at `/ingest/webhook`, signed with an HMAC of Learning Loop's design. `incident.service`
 * is matched against `learning-loop.io/webhook-service-id`; `incident.entityRefs` name entities outright.
 */
export function createGenericSource(options: {
  secret: string;
  toleranceSeconds?: number;
}): IncidentSource {
  return {
    id: 'webhook',
    verify: request =>
      verifyGenericSignature(
        request,
        options.secret,
        options.toleranceSeconds ?? 300,
      ),
    parse(request): SourceEvent[] {
      const json = parseJsonBody(request);
      if (json && typeof json === 'object' && 'deployment' in json) {
        return [deploymentEventOf(request, json)];
      }
      const body = parseInput(genericEventSchema, json, 'body');
      const { incident } = body;
      return [
        {
          deliveryId: body.deliveryId,
          externalId: incident.id,
          eventType: body.eventType,
          occurredAt: request.receivedAt.toISOString(),
          serviceName: incident.service,
          entityRefs: incident.entityRefs,
          services: incident.service
            ? [
                {
                  annotation: learningServiceAnnotation('webhook'),
                  value: incident.service,
                },
              ]
            : [],
          incident: {
            title: incident.title,
            severity: incident.severity,
            kind: incident.kind,
            startedAt: incident.startedAt,
            detectedAt: incident.detectedAt,
            acknowledgedAt: incident.acknowledgedAt,
            mitigatedAt: incident.mitigatedAt,
            resolvedAt: incident.resolvedAt,
            externalUrl: incident.url,
            summary: incident.summary,
          },
        },
      ];
    },
  };
}

function deploymentEventOf(
  request: IncidentWebhookRequest,
  json: unknown,
): DeploymentSourceEvent {
  const body = parseInput(genericDeploymentEventSchema, json, 'body');
  const { deployment } = body;
  return {
    type: 'deployment',
    deliveryId: body.deliveryId,
    externalId: deployment.id,
    eventType: body.eventType,
    occurredAt: request.receivedAt.toISOString(),
    serviceName: deployment.service,
    entityRefs: deployment.entityRefs,
    services: deployment.service
      ? [
          {
            annotation: learningServiceAnnotation('webhook'),
            value: deployment.service,
          },
        ]
      : [],
    deployment: {
      environment: deployment.environment,
      version: deployment.version,
      startedAt: deployment.startedAt,
      finishedAt: deployment.finishedAt,
      outcome: deployment.outcome,
      url: deployment.url,
      description: deployment.description,
    },
  };
}
