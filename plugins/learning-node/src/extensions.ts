import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type {
  DeploymentOutcome,
  IncidentKind,
  Severity,
} from '@learning-loop/plugin-learning-common';

/**
 * A webhook delivery as an incident source sees it: header names in lower case, the body exactly as it was sent
 * (signatures are computed over these bytes, so it is never re-serialised).
 *
 * @public
 */
export interface IncidentWebhookRequest {
  headers: Readonly<Record<string, string | undefined>>;
  /** The delivery URL's query parameters (a tool without signatures may carry a shared secret there). */
  query?: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  receivedAt: Date;
}

/**
 * One way to find the catalog entity an event belongs to: entities whose annotation `annotation` equals `value`.
 *
 * @public
 */
export interface ServiceReference {
  annotation: string;
  value: string;
}

/**
 * What one delivery says about one incident, in Learning Loop's terms. Fields left out keep their stored value, so
 * an "acknowledged" event does not erase the start time a "triggered" event recorded.
 *
 * @public
 */
export interface IncidentSourceEvent {
  /** Absent or `incident`: the event is about an incident. */
  type?: 'incident';
  /** Unique per delivery: a second delivery with this id changes nothing. */
  deliveryId: string;
  /** The incident's id in the tool: every event of one incident shares it. */
  externalId: string;
  /** The tool's name for what happened, such as `incident.resolved`. */
  eventType: string;
  /** When the tool says it happened (ISO 8601). */
  occurredAt: string;
  /** Ways to find the catalog entity, tried in order; the first that matches any entity wins. */
  services: ServiceReference[];
  /** Entity refs the sender named outright; used when they exist in the catalog. */
  entityRefs?: string[];
  /** The tool's name for its service, shown to people mapping an event that matched no entity. */
  serviceName?: string;
  incident: {
    title?: string;
    severity?: Severity;
    kind?: IncidentKind;
    startedAt?: string;
    detectedAt?: string;
    acknowledgedAt?: string;
    mitigatedAt?: string;
    resolvedAt?: string;
    externalUrl?: string;
    summary?: string;
  };
}

/**
 * What one delivery says about one deployment. Fields left out keep their stored value, so a "success" status does
 * not erase the start time an "in progress" status recorded.
 *
 * @public
 */
export interface DeploymentSourceEvent {
  type: 'deployment';
  /** Unique per delivery: a second delivery with this id changes nothing. */
  deliveryId: string;
  /** The deployment's id in the tool: every event of one deployment shares it. */
  externalId: string;
  /** The tool's name for what happened, such as `deployment_status.success`. */
  eventType: string;
  /** When the tool says it happened (ISO 8601). */
  occurredAt: string;
  /** Ways to find the catalog entity, tried in order; the first that matches any entity wins. */
  services: ServiceReference[];
  /** Entity refs the sender named outright; used when they exist in the catalog. */
  entityRefs?: string[];
  /** The tool's name for what was deployed, shown to people mapping an event that matched no entity. */
  serviceName?: string;
  deployment: {
    environment?: string;
    version?: string;
    startedAt?: string;
    /** With `outcome` once the deployment has ended. */
    finishedAt?: string;
    outcome?: DeploymentOutcome;
    url?: string;
    description?: string;
  };
}

/**
 * An event a source reports: about an incident or about a deployment.
 *
 * @public
 */
export type SourceEvent = IncidentSourceEvent | DeploymentSourceEvent;

/**
 * Whether an event is about a deployment.
 *
 * @public
 */
export function isDeploymentEvent(
  event: SourceEvent,
): event is DeploymentSourceEvent {
  return event.type === 'deployment';
}

/**
 * A tool that sends incidents (or deployments) to `POST /api/learning/ingest/{id}`.
 *
 * @public
 */
export interface IncidentSource {
  /** The path segment and, unless `incidentSource` says otherwise, the `source` of the incidents it creates. */
  id: string;
  /** The `source` written on incidents, when it differs from `id`. */
  incidentSource?: string;
  /**
   * Checks that the delivery comes from the tool (a signature, a shared secret). Throws `AuthenticationError` from
   * `@backstage/errors` when the proof is missing or wrong: the caller answers 401 and stores nothing.
   */
  verify(request: IncidentWebhookRequest): void | Promise<void>;
  /**
   * Turns a verified delivery into events. Throws `InputError` for a body it cannot read (400). Returns no events
   * for deliveries that carry nothing to record (a ping, an event type it ignores).
   */
  parse(
    request: IncidentWebhookRequest,
  ): SourceEvent[] | Promise<SourceEvent[]>;
}

/**
 * Lets a backend module add incident sources to the Learning Loop backend.
 *
 * @public
 */
export interface LearningIncidentSourcesExtensionPoint {
  addIncidentSource(...sources: IncidentSource[]): void;
}

/**
 * The extension point for incident sources. A module for plugin `learning` depends on it and calls
 * `addIncidentSource` in its `init`.
 *
 * @public
 */
export const learningIncidentSourcesExtensionPoint =
  createExtensionPoint<LearningIncidentSourcesExtensionPoint>({
    id: 'learning.incident-sources',
  });
