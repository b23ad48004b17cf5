import { createHash } from 'node:crypto';
import { AuthenticationError, InputError } from '@backstage/errors';
import type { Severity } from '@learning-loop/plugin-learning-common';
import {
  learningServiceAnnotation,
  parseJsonBody,
  safeEqual,
  toIsoTimestamp,
  type IncidentSource,
  type IncidentSourceEvent,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';

/** The header carrying the shared secret unless `learning.ingest.opsgenie.header` names another. */
export const OPSGENIE_DEFAULT_HEADER = 'x-learning-loop-token';

const payloadSchema = z.looseObject({
  action: z.string().min(1),
  alert: z.looseObject({
    alertId: z.string().min(1),
    message: z.string().optional(),
    entity: z.string().optional(),
    alias: z.string().optional(),
    tinyId: z.string().optional(),
    description: z.string().optional(),
    priority: z.string().optional(),
    createdAt: z.number().optional(),
    updatedAt: z.number().optional(),
  }),
});

const priorities: Record<string, Severity> = {
  P1: 'SEV1',
  P2: 'SEV2',
  P3: 'SEV3',
  P4: 'SEV4',
  P5: 'SEV4',
};

/**
 * Opsgenie's outgoing webhook integration. Opsgenie signs nothing, so the integration is given a custom header with
 * a shared secret; Opsgenie has no delivery id either, so a delivery is known by the hash of its body (a replay is
 * byte-identical). The alert's `entity` field names the service, matched against
 * `learning-loop.io/opsgenie-service-id`.
 */
export function createOpsgenieSource(options: {
  token: string;
  header?: string;
}): IncidentSource {
  const header = (options.header ?? OPSGENIE_DEFAULT_HEADER).toLowerCase();
  return {
    id: 'opsgenie',
    verify(request) {
      const offered = request.headers[header];
      if (!offered) {
        throw new AuthenticationError(`Missing ${header} header`);
      }
      if (!safeEqual(offered, options.token)) {
        throw new AuthenticationError(`The ${header} header is wrong`);
      }
    },
    parse(request): IncidentSourceEvent[] {
      const parsed = payloadSchema.safeParse(parseJsonBody(request));
      if (!parsed.success) {
        throw new InputError(
          `Not an Opsgenie alert webhook: ${parsed.error.issues
            .map(i => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}`,
        );
      }
      const { action, alert } = parsed.data;
      const occurredAt =
        toIsoTimestamp(alert.updatedAt) ?? request.receivedAt.toISOString();
      const createdAt = toIsoTimestamp(alert.createdAt);
      return [
        {
          deliveryId: createHash('sha256')
            .update(request.rawBody)
            .digest('hex'),
          externalId: alert.alertId,
          eventType: action,
          occurredAt,
          serviceName: alert.entity || undefined,
          services: alert.entity
            ? [
                {
                  annotation: learningServiceAnnotation('opsgenie'),
                  value: alert.entity,
                },
              ]
            : [],
          incident: {
            title: alert.message,
            severity: alert.priority ? priorities[alert.priority] : undefined,
            startedAt: createdAt,
            detectedAt: createdAt,
            summary: alert.description || undefined,
            acknowledgedAt: action === 'Acknowledge' ? occurredAt : undefined,
            resolvedAt: action === 'Close' ? occurredAt : undefined,
          },
        },
      ];
    },
  };
}
