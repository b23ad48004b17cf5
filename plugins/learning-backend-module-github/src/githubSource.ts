import { AuthenticationError, InputError } from '@backstage/errors';
import type { DeploymentOutcome } from '@learning-loop/plugin-learning-common';
import {
  hmacSha256,
  learningServiceAnnotation,
  parseJsonBody,
  safeEqual,
  toIsoTimestamp,
  type DeploymentSourceEvent,
  type IncidentSource,
  type IncidentWebhookRequest,
} from '@learning-loop/plugin-learning-node';
import { z } from 'zod';

/** The annotation Backstage's GitHub integrations read: `owner/repository`. */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/** The parts of a `deployment_status` delivery Learning Loop reads. */
const deploymentStatusSchema = z.looseObject({
  deployment_status: z.looseObject({
    id: z.number(),
    state: z.string(),
    description: z.string().nullish(),
    environment: z.string().nullish(),
    log_url: z.string().nullish(),
    target_url: z.string().nullish(),
    created_at: z.string(),
  }),
  deployment: z.looseObject({
    id: z.number(),
    sha: z.string().nullish(),
    ref: z.string().nullish(),
    environment: z.string().nullish(),
    description: z.string().nullish(),
    created_at: z.string(),
  }),
  repository: z.looseObject({
    full_name: z.string().min(1),
    html_url: z.string().nullish(),
  }),
});

/**
 * GitHub's deployment states as outcomes: `success` succeeded, `failure` and `error` failed. `in_progress`,
 * `queued` and `pending` record the start; `inactive` (a later deployment replaced it) changes nothing.
 */
const outcomes: Record<string, DeploymentOutcome | undefined> = {
  success: 'succeeded',
  failure: 'failed',
  error: 'failed',
};
const running = ['in_progress', 'queued', 'pending'];

/** Verifies `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` against any of `secrets`. */
export function verifyGitHubSignature(
  request: IncidentWebhookRequest,
  secrets: string[],
): void {
  const header = request.headers['x-hub-signature-256'];
  if (!header) {
    throw new AuthenticationError('Missing X-Hub-Signature-256 header');
  }
  const valid = secrets.some(secret =>
    safeEqual(header, `sha256=${hmacSha256(secret, request.rawBody, 'hex')}`),
  );
  if (!valid) {
    throw new AuthenticationError('The GitHub signature does not match');
  }
}

/** Reads one delivery; every event but `deployment_status` (a `ping`, a `push`) carries nothing to record. */
export function parseGitHubWebhook(
  request: IncidentWebhookRequest,
): DeploymentSourceEvent[] {
  if (request.headers['x-github-event'] !== 'deployment_status') return [];
  const deliveryId = request.headers['x-github-delivery'];
  if (!deliveryId) {
    throw new InputError('X-GitHub-Delivery header is missing');
  }
  const parsed = deploymentStatusSchema.safeParse(parseJsonBody(request));
  if (!parsed.success) {
    throw new InputError(
      `Not a GitHub deployment_status event: ${parsed.error.issues
        .map(i => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  }
  const { deployment_status: status, deployment, repository } = parsed.data;
  const outcome = outcomes[status.state];
  if (!outcome && !running.includes(status.state)) return [];
  const at = toIsoTimestamp(status.created_at);
  return [
    {
      type: 'deployment',
      deliveryId,
      externalId: `${repository.full_name}#${deployment.id}`,
      eventType: `deployment_status.${status.state}`,
      occurredAt: at ?? request.receivedAt.toISOString(),
      serviceName: repository.full_name,
      services: [
        {
          annotation: GITHUB_PROJECT_SLUG_ANNOTATION,
          value: repository.full_name,
        },
        {
          annotation: learningServiceAnnotation('github'),
          value: repository.full_name,
        },
      ],
      deployment: {
        environment: status.environment ?? deployment.environment ?? undefined,
        version: deployment.ref ?? deployment.sha?.slice(0, 12) ?? undefined,
        startedAt: toIsoTimestamp(deployment.created_at),
        ...(outcome ? { finishedAt: at, outcome } : {}),
        url:
          status.log_url ??
          status.target_url ??
          (repository.html_url
            ? `${repository.html_url}/deployments`
            : undefined),
        description: status.description ?? deployment.description ?? undefined,
      },
    },
  ];
}

/** The GitHub deployment source: repository or organisation webhooks for `deployment_status`, signed. */
export function createGitHubSource(options: {
  secrets: string[];
}): IncidentSource {
  return {
    id: 'github',
    verify: request => verifyGitHubSignature(request, options.secrets),
    parse: parseGitHubWebhook,
  };
}
