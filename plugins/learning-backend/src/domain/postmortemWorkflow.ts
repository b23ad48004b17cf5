import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  canMovePostmortem,
  normalizeEntityRef,
  chooseTemplate,
  blameCheckWith,
  markdownSectionFields,
  missingRequiredSections,
  type BlameCheckContext,
  type CreatePostmortemInput,
  type Postmortem,
  type UpdatePostmortemInput,
} from '@learning-loop/plugin-learning-common';
import nlp from 'compromise/two';
import type { LearningDeps } from './deps';

type Deps = Pick<LearningDeps, 'store' | 'settings'>;

/** The blameless check, its language model loaded with the backend. */
const blameCheck = blameCheckWith(nlp);

/** The template a postmortem follows: the one it names, else the one its incidents would get. */
export async function templateOf(
  ctx: Deps,
  postmortem: Pick<Postmortem, 'templateId' | 'incidentIds'>,
) {
  const named = ctx.settings.postmortemTemplates.find(
    t => t.id === postmortem.templateId,
  );
  if (named) return named;
  const incidents = await Promise.all(
    postmortem.incidentIds.map(id => ctx.store.incidents.get(id)),
  );
  return chooseTemplate(ctx.settings.postmortemTemplates, incidents);
}

/** Fills in the template for a new postmortem from its incidents' severity and kind. */
export async function withTemplate(
  ctx: Deps,
  input: CreatePostmortemInput,
): Promise<CreatePostmortemInput> {
  if (input.templateId) {
    if (
      !ctx.settings.postmortemTemplates.some(t => t.id === input.templateId)
    ) {
      throw new InputError(
        `templateId: no template "${
          input.templateId
        }"; configured: ${ctx.settings.postmortemTemplates
          .map(t => t.id)
          .join(', ')}`,
      );
    }
    return input;
  }
  return {
    ...input,
    templateId: (await templateOf(ctx, { incidentIds: input.incidentIds })).id,
  };
}

/** Every piece of prose in a postmortem, by section, for the blameless check. */
export function proseOf(p: Postmortem): Record<string, string | undefined> {
  const prose: Record<string, string | undefined> = { title: p.title };
  for (const field of markdownSectionFields) prose[field] = p[field];
  p.timeline.forEach((t, n) => (prose[`timeline[${n}]`] = t.text));
  p.contributingFactors.forEach(
    (f, n) => (prose[`contributingFactors[${n}]`] = f.text),
  );
  p.decisions.forEach(
    (d, n) =>
      (prose[`decisions[${n}]`] = [d.decision, d.rationale]
        .filter(Boolean)
        .join(' ')),
  );
  return prose;
}

/**
 * The rules of a workflow move. Moving on from draft needs the template's required sections; publishing also
 * needs the blameless check to be clean, or its findings explicitly acknowledged (then recorded). The "action item
 * or no-action reason" rule is enforced by the store in the same transaction as the publication.
 */
export async function checkPostmortemUpdate(
  ctx: Deps,
  current: Postmortem,
  input: UpdatePostmortemInput,
  people: (
    postmortem: Postmortem,
  ) => Promise<BlameCheckContext> = async () => ({}),
): Promise<{ blameAcknowledged: boolean }> {
  if (!input.status || input.status === current.status) {
    return { blameAcknowledged: false };
  }
  if (!canMovePostmortem(current.status, input.status)) {
    throw new InputError(
      `status: a ${current.status} postmortem cannot move to ${input.status}`,
    );
  }
  if (input.status === 'draft') {
    return { blameAcknowledged: false };
  }
  const {
    version: _v,
    status: _s,
    acknowledgeBlameFindings: _a,
    ...changes
  } = input;
  const merged = { ...current, ...changes } as Postmortem;
  const actions = await ctx.store.actions.list({
    postmortemId: current.id,
    page: 1,
    limit: 1,
    order: 'asc',
    orderBy: 'dueDate',
  });
  const missing = missingRequiredSections(
    merged,
    await templateOf(ctx, current),
    actions.totalCount,
  );
  if (missing.length) {
    throw new InputError(
      `status: fill in the required sections first: ${missing.join(', ')}`,
    );
  }
  if (input.status !== 'published') {
    return { blameAcknowledged: false };
  }
  const findings = blameCheck.findBlameLanguageInSections(
    proseOf(merged),
    await people(merged),
  );
  if (findings.length && !input.acknowledgeBlameFindings) {
    const listed = findings
      .slice(0, 5)
      .map(f => `"${f.text}" in ${f.section}`)
      .join(', ');
    throw new InputError(
      `status: the blameless check found ${findings.length} phrase(s) (${listed}); reword them, or publish with acknowledgeBlameFindings: true`,
    );
  }
  return { blameAcknowledged: findings.length > 0 };
}

/** Whether the caller is one of the postmortem's listed participants. */
export function isParticipant(
  postmortem: Postmortem,
  credentials: BackstageCredentials,
): boolean {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  return (
    principal.type === 'user' &&
    postmortem.participants.some(
      p =>
        principal.userEntityRef !== undefined &&
        p.entityRef === normalizeEntityRef(principal.userEntityRef),
    )
  );
}

/**
 * Who may edit a postmortem: owners of any of its entities, and its listed participants. Publishing stays with
 * the owners.
 */
export async function authorizePostmortemEdit(
  ctx: Deps,
  id: string,
  input: UpdatePostmortemInput,
  credentials: BackstageCredentials,
  ownerCheck: () => Promise<void>,
): Promise<void> {
  if (input.status === 'published') {
    await ownerCheck();
    return;
  }
  try {
    await ownerCheck();
  } catch (error) {
    if (
      !(error instanceof NotAllowedError) ||
      !isParticipant(await ctx.store.postmortems.get(id), credentials)
    ) {
      throw error;
    }
  }
}
