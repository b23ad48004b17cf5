import { Readable } from 'node:stream';
import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type {
  Incident,
  Page,
  Postmortem,
  Runbook,
} from '@learning-loop/plugin-learning-common';

/** The search document type of Learning Loop records. */
export const LEARNING_DOCUMENT_TYPE = 'learning';

/**
 * A published postmortem, a runbook or an incident in Backstage search.
 *
 * @public
 */
export interface LearningDocument extends IndexableDocument {
  recordType: 'postmortem' | 'runbook' | 'incident';
  /** The catalog entities the record belongs to. */
  entityRefs: string[];
  /** Published (postmortem), last reviewed (runbook) or started (incident), ISO 8601; empty when never. */
  date: string;
}

const PAGE_SIZE = 100;

function joinText(parts: Array<string | undefined>): string {
  return parts.filter(part => part && part.trim()).join('\n\n');
}

/**
 * Reads published postmortems, runbooks and incidents (not those recorded as duplicates) from the Learning Loop API, page by page with the plugin's own
 * credentials, and turns them into search documents.
 *
 * @public
 */
export class LearningCollatorFactory implements DocumentCollatorFactory {
  readonly type = LEARNING_DOCUMENT_TYPE;
  /**
   * Results are shown only to callers who may read the document's entity in the catalog (each document carries it
   * in `authorization.resourceRef`); Backstage search checks this permission for every result.
   */
  readonly visibilityPermission = catalogEntityReadPermission;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  async getCollator(): Promise<Readable> {
    return Readable.from(this.documents());
  }

  private async *documents(): AsyncGenerator<LearningDocument> {
    for await (const postmortem of this.pages<Postmortem>(
      '/postmortems?status=published&orderBy=publishedAt',
    )) {
      yield {
        recordType: 'postmortem',
        title: postmortem.title,
        text: joinText([
          postmortem.summary,
          postmortem.impact,
          postmortem.lessons,
          ...postmortem.contributingFactors.map(f => f.text),
        ]),
        location: `/learning/postmortems/${postmortem.id}`,
        entityRefs: postmortem.entityRefs,
        // a review of incidents on several entities is found by those who may read the first of them
        authorization: { resourceRef: [...postmortem.entityRefs].sort()[0] },
        date: postmortem.publishedAt ?? '',
      };
    }
    for await (const runbook of this.pages<Runbook>(
      '/runbooks?orderBy=title',
    )) {
      yield {
        recordType: 'runbook',
        title: runbook.title,
        text: joinText([runbook.body, runbook.url]),
        location: `/learning/runbooks/${runbook.id}`,
        entityRefs: [runbook.entityRef],
        authorization: { resourceRef: runbook.entityRef },
        date: runbook.lastReviewedAt ?? '',
      };
    }
    for await (const incident of this.pages<Incident>(
      '/incidents?orderBy=startedAt',
    )) {
      if (incident.duplicateOfId) continue;
      yield {
        recordType: 'incident',
        title: incident.title,
        text: joinText([
          incident.summary,
          incident.failureModes.length
            ? `Failure modes: ${incident.failureModes.join(', ')}`
            : undefined,
        ]),
        location: `/learning/incidents/${incident.id}`,
        entityRefs: incident.entityRefs,
        // an incident on several entities is found by those who may read the first of them
        authorization: { resourceRef: [...incident.entityRefs].sort()[0] },
        date: incident.startedAt,
      };
    }
  }

  private async *pages<T>(path: string): AsyncGenerator<T> {
    const { discovery, auth } = this.options;
    const fetchFn = this.options.fetch ?? fetch;
    const baseUrl = await discovery.getBaseUrl('learning');
    for (let page = 1; ; page++) {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'learning',
      });
      const response = await fetchFn(
        `${baseUrl}${path}&limit=${PAGE_SIZE}&page=${page}&order=asc`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (!response.ok) {
        throw new Error(
          `Learning Loop search collator: GET ${path} answered ${response.status}`,
        );
      }
      const body = (await response.json()) as Page<T>;
      yield* body.items;
      if (page * PAGE_SIZE >= body.totalCount || body.items.length === 0) {
        return;
      }
    }
  }
}
