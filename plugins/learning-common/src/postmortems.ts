import { diffWordsWithSpace } from 'diff';
import type { Incident, Postmortem } from './records';
import type { IncidentKind, PostmortemStatus, Severity } from './vocabulary';

/** The workflow: draft → in review → published, and back from review to draft. Published is final. */
export const postmortemTransitions: Record<
  PostmortemStatus,
  PostmortemStatus[]
> = {
  draft: ['in-review'],
  'in-review': ['draft', 'published'],
  published: [],
};

/** Whether a postmortem may move from one status to another. */
export function canMovePostmortem(
  from: PostmortemStatus,
  to: PostmortemStatus,
): boolean {
  return postmortemTransitions[from].includes(to);
}

/** Parts of a postmortem a template can ask for, in reading order. */
export const postmortemSectionFields = [
  'summary',
  'impact',
  'detection',
  'response',
  'recovery',
  'timeline',
  'contributingFactors',
  'wentWell',
  'wentPoorly',
  'whereWeGotLucky',
  'whyWeWereSurprised',
  'lessons',
  'decisions',
  'actionItems',
] as const;
/** A part of a postmortem. */
export type PostmortemSectionField = (typeof postmortemSectionFields)[number];

/** The Markdown sections among them. */
export const markdownSectionFields = [
  'summary',
  'impact',
  'detection',
  'response',
  'recovery',
  'wentWell',
  'wentPoorly',
  'whereWeGotLucky',
  'whyWeWereSurprised',
  'lessons',
] as const;
/** A Markdown section of a postmortem. */
export type MarkdownSectionField = (typeof markdownSectionFields)[number];

/** One section of a template: what to write there and whether it must be filled. */
export interface TemplateSection {
  field: PostmortemSectionField;
  title: string;
  prompt: string;
  required: boolean;
}

/** A postmortem template, chosen for incidents by severity or kind. */
export interface PostmortemTemplate {
  id: string;
  title: string;
  severities?: Severity[];
  kinds?: IncidentKind[];
  sections: TemplateSection[];
}

const section = (
  field: PostmortemSectionField,
  title: string,
  prompt: string,
  required = false,
): TemplateSection => ({
  field,
  title,
  prompt,
  required,
});

/** The template used when config names none: every part of a learning review. */
export const defaultPostmortemTemplate: PostmortemTemplate = {
  id: 'default',
  title: 'Learning review',
  sections: [
    section(
      'summary',
      'Summary',
      'What happened, in two or three sentences a newcomer understands.',
      true,
    ),
    section(
      'impact',
      'Impact',
      'Who was affected, how, and for how long? Numbers where you have them.',
      true,
    ),
    section(
      'detection',
      'Detection',
      'How did we find out? How long after it started? What told us?',
    ),
    section(
      'response',
      'Response',
      'Who responded, how were they reached, what did they try?',
    ),
    section(
      'recovery',
      'Recovery',
      'What restored service, and how do we know it is restored?',
    ),
    section(
      'timeline',
      'Timeline',
      'Timestamped events: trigger, detection, escalation, mitigation, communication, resolution.',
    ),
    section(
      'contributingFactors',
      'Contributing factors',
      'Conditions in the system that made this possible or worse. Systems, not people.',
      true,
    ),
    section('wentWell', 'What went well', 'What helped? Keep doing it.'),
    section(
      'wentPoorly',
      'What went poorly',
      'What made the response harder than it needed to be?',
    ),
    section(
      'whereWeGotLucky',
      'Where we got lucky',
      'What could have made this much worse, but did not?',
    ),
    section(
      'whyWeWereSurprised',
      'Why we were surprised',
      'Which of our beliefs about the system turned out wrong?',
    ),
    section(
      'lessons',
      'Lessons',
      'What do we now know that we did not before?',
      true,
    ),
    section(
      'decisions',
      'Decisions',
      'Decisions taken during or after the incident, with their rationale.',
    ),
    section(
      'actionItems',
      'Action items',
      'What will change, who owns it, by when. Or why nothing needs to.',
    ),
  ],
};

/**
 * Picks the template for a set of incidents: the first configured template whose severities and kinds match the
 * worst severity and any incident's kind; otherwise one without conditions; otherwise the default.
 */
export function chooseTemplate(
  templates: PostmortemTemplate[],
  incidents: Array<Pick<Incident, 'severity' | 'kind'>>,
): PostmortemTemplate {
  const worst = [...incidents.map(i => i.severity)].sort()[0];
  const kinds = new Set(incidents.map(i => i.kind));
  const matches = (t: PostmortemTemplate) =>
    (!t.severities?.length ||
      (worst !== undefined && t.severities.includes(worst))) &&
    (!t.kinds?.length || t.kinds.some(k => kinds.has(k)));
  const specific = templates.find(
    t => (t.severities?.length || t.kinds?.length) && matches(t),
  );
  return (
    specific ??
    templates.find(t => !t.severities?.length && !t.kinds?.length) ??
    defaultPostmortemTemplate
  );
}

/** Whether a section of a postmortem has content. `actionItems` counts linked actions or a no-action reason. */
function filled(
  postmortem: Postmortem,
  field: PostmortemSectionField,
  actionCount: number,
): boolean {
  switch (field) {
    case 'timeline':
    case 'contributingFactors':
    case 'decisions':
      return postmortem[field].length > 0;
    case 'actionItems':
      return actionCount > 0 || !!postmortem.noActionReason?.trim();
    default:
      return !!postmortem[field]?.trim();
  }
}

/** Titles of the template's required sections that are still empty. */
export function missingRequiredSections(
  postmortem: Postmortem,
  template: PostmortemTemplate,
  actionCount: number,
): string[] {
  return template.sections
    .filter(s => s.required && !filled(postmortem, s.field, actionCount))
    .map(s => s.title);
}

/** The content a revision keeps: everything a person edits. */
export type PostmortemContent = Pick<
  Postmortem,
  | 'title'
  | MarkdownSectionField
  | 'timeline'
  | 'contributingFactors'
  | 'decisions'
  | 'participants'
  | 'reviewDate'
  | 'noActionReason'
  | 'status'
>;

/** Extracts the revisable content of a postmortem. */
export function postmortemContent(p: Postmortem): PostmortemContent {
  const content: Record<string, unknown> = {
    title: p.title,
    status: p.status,
    timeline: p.timeline,
    contributingFactors: p.contributingFactors,
    decisions: p.decisions,
    participants: p.participants,
    reviewDate: p.reviewDate,
    noActionReason: p.noActionReason,
  };
  for (const field of markdownSectionFields) content[field] = p[field];
  return content as PostmortemContent;
}

/** One field's difference between two revisions, as word-level parts. */
export interface FieldDiff {
  field: string;
  parts: Array<{ value: string; added?: boolean; removed?: boolean }>;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map(item =>
        typeof item === 'object'
          ? Object.values(item as object)
              .filter(Boolean)
              .join(' · ')
          : String(item),
      )
      .join('\n');
  return String(value);
}

/** The fields that differ between two revisions, each with a word-level diff. */
export function diffRevisions(
  from: Partial<PostmortemContent>,
  to: Partial<PostmortemContent>,
): FieldDiff[] {
  const fields = [
    'title',
    'status',
    ...markdownSectionFields,
    'timeline',
    'contributingFactors',
    'decisions',
    'participants',
    'reviewDate',
    'noActionReason',
  ];
  return fields
    .map(field => ({
      field,
      before: asText((from as any)[field]),
      after: asText((to as any)[field]),
    }))
    .filter(f => f.before !== f.after)
    .map(f => ({
      field: f.field,
      parts: diffWordsWithSpace(f.before, f.after).map(p => ({
        value: p.value,
        ...(p.added ? { added: true } : {}),
        ...(p.removed ? { removed: true } : {}),
      })),
    }));
}
