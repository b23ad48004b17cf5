import { AuthenticationError, InputError } from '@backstage/errors';
import type { Severity } from '@learning-loop/plugin-learning-common';
import {
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

/** The annotation the PagerDuty Backstage plugin reads; Learning Loop maps PagerDuty services with it too. */
export const PAGERDUTY_SERVICE_ID_ANNOTATION = 'pagerduty.com/service-id';

const reference = z.looseObject({
  id: z.string(),
  summary: z.string().optional(),
});

/** The parts of a v3 webhook payload ("Event" with an incident as its data) that Learning Loop reads. */
const webhookSchema = z.looseObject({
  event: z.looseObject({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string(),
    occurred_at: z.string(),
    data: z.looseObject({
      id: z.string().min(1),
      type: z.string(),
      title: z.string().optional(),
      html_url: z.string().optional(),
      created_at: z.string().optional(),
      urgency: z.string().optional(),
      service: reference.optional(),
      priority: reference.nullish(),
    }),
  }),
});

const priorityToSeverity: Record<string, Severity> = {
  P1: 'SEV1',
  P2: 'SEV2',
  P3: 'SEV3',
  P4: 'SEV4',
  P5: 'SEV4',
};

/** PagerDuty's priority (P1–P5) when the account uses priorities, else its urgency. */
function severityOf(
  priority: string | undefined,
  urgency: string | undefined,
): Severity | undefined {
  if (priority && priorityToSeverity[priority])
    return priorityToSeverity[priority];
  if (urgency === 'high') return 'SEV2';
  if (urgency === 'low') return 'SEV3';
  return undefined;
}

/**
 * Verifies `X-PagerDuty-Signature`: one or more `v1=<hex HMAC-SHA256 of the raw body>`, comma separated (PagerDuty
 * sends one per active secret while a secret is rotated).
 */
export function verifyPagerDutySignature(
  request: IncidentWebhookRequest,
  secrets: string[],
): void {
  const header = request.headers['x-pagerduty-signature'];
  if (!header) {
    throw new AuthenticationError('Missing X-PagerDuty-Signature header');
  }
  const offered = header
    .split(',')
    .map(part => part.trim())
    .filter(part => part.startsWith('v1='));
  const valid = secrets.some(secret => {
    const expected = `v1=${hmacSha256(secret, request.rawBody, 'hex')}`;
    return offered.some(signature => safeEqual(signature, expected));
  });
  if (!valid) {
    throw new AuthenticationError('The PagerDuty signature does not match');
  }
}

/** Reads one v3 webhook delivery; events about anything but an incident are ignored. */
export function parsePagerDutyWebhook(
  request: IncidentWebhookRequest,
): IncidentSourceEvent[] {
  const body = parseJsonBody(request) as {
    event?: { resource_type?: string; data?: { type?: string } };
  };
  // every documented v3 event type is accepted: those about something other than the incident itself (a note,
  // a responder, a status update, a workflow, custom field values, a conference bridge) carry nothing to record
  if (
    body?.event?.resource_type !== 'incident' ||
    body.event.data?.type !== 'incident'
  ) {
    return [];
  }
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) {
    throw new InputError(
      `Not a PagerDuty v3 incident event: ${parsed.error.issues
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const { event } = parsed.data;
  const incident = event.data;
  const occurredAt =
    toIsoTimestamp(event.occurred_at) ?? request.receivedAt.toISOString();
  const createdAt = toIsoTimestamp(incident.created_at);
  const serviceId = incident.service?.id;
  return [
    {
      deliveryId: event.id,
      externalId: incident.id,
      eventType: event.event_type,
      occurredAt,
      serviceName: incident.service?.summary,
      services: serviceId
        ? [
            { annotation: PAGERDUTY_SERVICE_ID_ANNOTATION, value: serviceId },
            {
              annotation: learningServiceAnnotation('pagerduty'),
              value: serviceId,
            },
          ]
        : [],
      incident: {
        title: incident.title,
        severity: severityOf(incident.priority?.summary, incident.urgency),
        startedAt: createdAt,
        detectedAt: createdAt,
        externalUrl: incident.html_url,
        acknowledgedAt:
          event.event_type === 'incident.acknowledged' ? occurredAt : undefined,
        resolvedAt:
          event.event_type === 'incident.resolved' ? occurredAt : undefined,
      },
    },
  ];
}

/** The PagerDuty incident source: v3 webhook subscriptions signed with one of `secrets`. */
export function createPagerDutySource(options: {
  secrets: string[];
}): IncidentSource {
  return {
    id: 'pagerduty',
    verify: request => verifyPagerDutySignature(request, options.secrets),
    parse: parsePagerDutyWebhook,
  };
}
