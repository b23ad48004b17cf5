import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  openActionStatuses,
  decideReleaseGate,
  describeComparison,
  resolvePeriod,
  type LearningSettings,
  type MetricChanges,
} from '@learning-loop/plugin-learning-common';
import { metricsComparison } from '../domain/durationChanges';
import { parseEntityRef } from '@backstage/catalog-model';
import type { LearningStore } from '../database/LearningStore';
import {
  assertEntityReadable,
  assertReadable,
  type ReadScopes,
} from '../domain/readScope';
import { relatedLearnings } from '../domain/relatedLearnings';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';

const normalise = (ref: string) =>
  normalizeEntityRef(
    parseEntityRef(ref, {
      defaultKind: 'component',
      defaultNamespace: 'default',
    }),
  );

/** The figures an assistant is told about, by the names people use. */
const figureNames: Record<keyof MetricChanges, string> = {
  incidents: 'Incidents',
  ttd: 'Time to detect (median)',
  tta: 'Time to acknowledge (median)',
  ttm: 'Time to mitigate (median)',
  ttr: 'Time to resolve (median)',
  repeatRate: 'Repeat-incident rate',
  postmortemCoverage: 'Postmortem coverage',
  actionCompletion: 'Action completion',
  actionOnTime: 'Actions done on time',
  effectiveness: 'Preventive actions that held',
};

/**
 * Read-only actions for assistants, exposed by Backstage's MCP server through the actions registry: past incidents
 * like a new one and what was learned from them, an entity's learning summary, and its open improvement actions.
 */
export function registerLearningActions(
  registry: ActionsRegistryService,
  options: {
    store: LearningStore;
    settings: LearningSettings;
    /** An assistant answers only about entities the person it acts for may read. */
    readScopes: ReadScopes;
    /** For the catalog neighbours of related learnings; without it only the entity itself is compared. */
    catalog?: CatalogService;
  },
) {
  const { store, settings, readScopes } = options;

  registry.register({
    name: 'find-related-learnings',
    title: 'Past incidents like this one, and what was learned from them',
    description:
      "For a recorded incident (incidentId), or for a description of something happening now on a catalog entity (entityRef and description): earlier incidents on the entity and its catalog neighbours that look alike, why each matched, its learning review's lessons and decisions, its actions and whether they held, and the runbooks used or missing; and whether the failure is new, rare or frequent for the entity.",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          incidentId: z
            .string()
            .uuid()
            .optional()
            .describe('An incident recorded in Learning Loop'),
          entityRef: z
            .string()
            .optional()
            .describe(
              'With description: the entity it is happening on, for example component:default/subtitle-service',
            ),
          description: z
            .string()
            .max(2000)
            .optional()
            .describe('With entityRef: what is happening, in a few words'),
          failureModes: z
            .array(z.string())
            .max(20)
            .optional()
            .describe('With description: failure modes, if known'),
        }),
      output: z =>
        z.object({
          novelty: z.enum(['new', 'rare', 'frequent']),
          windowDays: z.number(),
          matches: z.array(
            z.object({
              incidentId: z.string(),
              title: z.string(),
              startedAt: z.string(),
              entityRefs: z.array(z.string()),
              relation: z.string(),
              score: z.number(),
              reasons: z.array(z.string()),
              lessons: z.string().optional(),
              decisions: z.array(z.string()),
              actions: z.array(
                z.object({
                  title: z.string(),
                  status: z.string(),
                  effectiveness: z.string().optional(),
                }),
              ),
              runbooksUsed: z.array(z.string()),
              runbooksMissing: z.array(z.string()),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const scope = await readScopes.of(credentials);
      let subject: Parameters<typeof relatedLearnings>[1];
      if (input.incidentId) {
        const incident = await store.incidents.get(input.incidentId);
        assertReadable(scope, incident.entityRefs, 'incident', incident.id);
        subject = incident;
      } else if (input.entityRef && input.description?.trim()) {
        const entityRef = normalise(input.entityRef);
        assertEntityReadable(scope, entityRef);
        subject = {
          title: input.description.trim(),
          startedAt: new Date().toISOString(),
          entityRefs: [entityRef],
          failureModes: input.failureModes ?? [],
        };
      } else {
        throw new InputError(
          'incidentId, or entityRef with description, is required',
        );
      }
      const related = await relatedLearnings(
        { store, settings, catalog: options.catalog },
        subject,
        credentials,
        scope,
      );
      return {
        output: {
          novelty: related.novelty,
          windowDays: related.windowDays,
          matches: related.matches.map(m => ({
            incidentId: m.incidentId,
            title: m.title,
            startedAt: m.startedAt,
            entityRefs: m.entityRefs,
            relation: m.relation,
            score: m.score,
            reasons: m.reasons,
            lessons: m.postmortem?.lessons,
            decisions: m.postmortem?.decisions ?? [],
            actions: m.actions.map(a => ({
              title: a.title,
              status: a.status,
              effectiveness: a.effectiveness,
            })),
            runbooksUsed: m.runbooks.used.map(r => r.title),
            runbooksMissing: m.runbooks.missing.map(r => r.title),
          })),
        },
      };
    },
  });

  registry.register({
    name: 'get-entity-learning-summary',
    title: 'Learning summary of a catalog entity',
    description:
      'Incidents in the last 90 and 365 days, whether failures keep recurring (and whether preventive actions held), open and overdue improvement actions, overdue postmortems and the release gate, for one catalog entity; and how its figures of the last 90 days compare with the 90 days before, each with a verdict that says whether the change is distinguishable from chance ("too few to tell" when it is not).',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Entity ref, for example component:default/subtitle-service',
            ),
        }),
      output: z =>
        z.object({
          entityRef: z.string(),
          recurrenceStatus: z.string(),
          recurrenceReason: z.string(),
          incidentsLast90Days: z.number(),
          incidentsLast365Days: z.number(),
          openActions: z.number(),
          overdueActions: z.number(),
          postmortemsOverdue: z.number(),
          releaseBlocked: z.boolean(),
          releaseGateReasons: z.array(z.string()),
          changesLast90Days: z
            .array(
              z.object({
                figure: z.string(),
                verdict: z.enum([
                  'improved',
                  'worsened',
                  'no-clear-change',
                  'too-few',
                ]),
                statement: z
                  .string()
                  .describe(
                    'The verdict with the sample sizes and the interval, for example "too few to tell (n = 1 vs 4)"',
                  ),
              }),
            )
            .describe(
              'The last 90 days against the 90 before; better or worse only where the interval of the change excludes no change',
            ),
        }),
    },
    action: async ({ input, credentials }) => {
      const entityRef = normalise(input.entityRef);
      assertEntityReadable(await readScopes.of(credentials), entityRef);
      const period = resolvePeriod({ days: 90 });
      const [summary, facts, compared] = await Promise.all([
        store.summaries.entitySummary(entityRef),
        store.summaries.gateFacts(entityRef),
        metricsComparison(
          store,
          { entityRef },
          period,
          period.previous,
          settings.confidenceLevel,
        ),
      ]);
      const gate = decideReleaseGate(entityRef, facts, settings.releaseGate);
      return {
        output: {
          entityRef,
          recurrenceStatus: summary.recurrence.status,
          recurrenceReason: summary.recurrence.reason,
          incidentsLast90Days: summary.incidentCounts.last90Days.total,
          incidentsLast365Days: summary.incidentCounts.last365Days.total,
          openActions: summary.openActionCount,
          overdueActions: summary.overdueActionCount,
          postmortemsOverdue: summary.postmortems.overdue,
          releaseBlocked: gate.blocked,
          releaseGateReasons: gate.reasons.map(r => r.message),
          changesLast90Days: Object.entries(figureNames).map(
            ([key, figure]) => {
              const change = compared.changes[key as keyof MetricChanges];
              return {
                figure,
                verdict: change.verdict,
                statement: describeComparison(change),
              };
            },
          ),
        },
      };
    },
  });

  registry.register({
    name: 'list-open-learning-actions',
    title: 'Open improvement actions of a catalog entity',
    description:
      'The open, in-progress and blocked preventive actions of a catalog entity, most overdue first, with owner, priority and due date.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe(
              'Entity ref, for example component:default/subtitle-service',
            ),
          overdueOnly: z
            .boolean()
            .optional()
            .describe('Only actions past their due date'),
          limit: z.number().int().min(1).max(100).optional(),
        }),
      output: z =>
        z.object({
          totalCount: z.number(),
          actions: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              priority: z.string(),
              status: z.string(),
              owner: z.string(),
              dueDate: z.string(),
              overdue: z.boolean(),
              daysPastDue: z.number(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const entityRef = normalise(input.entityRef);
      assertEntityReadable(await readScopes.of(credentials), entityRef);
      const page = await store.actions.list({
        entityRef,
        status: [...openActionStatuses],
        overdue: input.overdueOnly ? true : undefined,
        page: 1,
        limit: input.limit ?? 20,
        orderBy: 'dueDate',
        order: 'asc',
      });
      return {
        output: {
          totalCount: page.totalCount,
          actions: page.items.map(a => ({
            id: a.id,
            title: a.title,
            priority: a.priority,
            status: a.status,
            owner: a.owner,
            dueDate: a.dueDate,
            overdue: a.overdue,
            daysPastDue: a.daysPastDue,
          })),
        },
      };
    },
  });
}
