/**
 * The blameless check: finds language in a learning review that blames a person, judges them, or argues with
 * hindsight about what "should have" happened, and suggests a systems-focused rewording.
 *
 * It prefers silence to a false alarm: phrases that are ordinary in systems writing ("the job failed to start",
 * "a faulty disk", "fault-tolerant", "we should add alerting") are not findings. Patterns that need a person as
 * the subject only fire when the subject is a pronoun or a role, not any capitalised word, because service names
 * are capitalised too.
 */

import {
  findClauseBlame,
  type BlameCheckContext,
  type Parser,
} from './blameClauses';

export type { BlameCheckContext, Parser } from './blameClauses';

/** Why a phrase was flagged. */
export type BlameFindingKind =
  | 'human-error'
  | 'counterfactual'
  | 'person-as-cause'
  | 'judgement'
  | 'blame';

/** One finding: where it is in the text, what it is, and how to say it instead. */
export interface BlameFinding {
  kind: BlameFindingKind;
  /** Offset of the first character in the checked text. */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** The flagged words as written. */
  text: string;
  /** A systems-focused way to say it. */
  suggestion: string;
}

const suggestions: Record<BlameFindingKind, string> = {
  'human-error':
    'Name the conditions that made the mistake likely (missing guardrails, confusing tooling, time pressure) instead of "human error".',
  counterfactual:
    'Describe what people knew and did at the time, and why it made sense to them, instead of what should have happened.',
  'person-as-cause':
    'Describe what in the system allowed the action to cause harm, not the person who took it.',
  judgement: 'Drop the judgement: state what happened and what made it likely.',
  blame:
    'Look for contributing factors in the system rather than for who is at fault.',
};

/** People as sentence subjects: pronouns and roles. Capitalised words are left out on purpose (service names). */
const person =
  '(?:he|she|they|i|we|you|someone|somebody|nobody|no one|the (?:engineer|developer|operator|on-?call(?:er)?(?: engineer)?|sre|admin(?:istrator)?|reviewer|author|intern|contractor|new hire|team lead|release manager|dba)|(?:an|our|one) (?:engineer|developer|operator|on-?call(?:er)?|sre|admin|intern|contractor))';

const rules: Array<{ kind: BlameFindingKind; pattern: RegExp }> = [
  {
    kind: 'human-error',
    pattern:
      /\b(?:human|operator|user|pilot|engineer|developer)[\s-]+errors?\b/gi,
  },
  {
    kind: 'human-error',
    pattern: /\bmade (?:a|an|the) (?:mistake|error|blunder|bad call)\b/gi,
  },
  {
    kind: 'human-error',
    pattern:
      /\b(?:human|developer|operator|engineer) (?:mistake|slip|blunder)s?\b|\ba people problem\b|\btypo by\b|\bthe mistake was\b/gi,
  },
  {
    // "should have been" about anything; "should have" with a person is found by the clause check
    kind: 'counterfactual',
    pattern: /\b(?:should|shouldn['’]t|should not|ought to) have been\b/gi,
  },
  { kind: 'counterfactual', pattern: /\bif only\b/gi },
  {
    kind: 'counterfactual',
    pattern:
      /\bcould (?:easily )?have (?:been )?(?:prevented|avoided|caught|stopped)\b/gi,
  },
  {
    kind: 'counterfactual',
    pattern: /\b(?:would|could) have been (?:avoided|prevented)\b/gi,
  },
  {
    kind: 'counterfactual',
    pattern: /\b(?:was|were|should have been) (?:obvious|clear to anyone)\b/gi,
  },
  {
    kind: 'person-as-cause',
    pattern: new RegExp(
      `\\b${person} (?:failed|neglected|forgot|didn['’]t bother|did not bother) to\\b`,
      'gi',
    ),
  },
  { kind: 'person-as-cause', pattern: /\b(?:forgot|neglected) to\b/gi },
  {
    kind: 'person-as-cause',
    pattern: new RegExp(
      `\\b${person} (?:ignored|overlooked|missed|skipped|broke|messed up|screwed up|botched)\\b`,
      'gi',
    ),
  },
  { kind: 'person-as-cause', pattern: /\b(?:messed|screwed) up\b/gi },
  {
    kind: 'person-as-cause',
    pattern:
      /\bignored the (?:alert|alarm|page|warning|runbook|process|procedure|checklist)s?\b/gi,
  },
  {
    kind: 'person-as-cause',
    pattern: new RegExp(
      `\\b(?:caused|triggered|broken|botched) by ${person}\\b`,
      'gi',
    ),
  },
  {
    kind: 'person-as-cause',
    pattern: new RegExp(
      `\\b${person} (?:did not|didn['’]t) (?:follow|read|check|test|double-check)\\b`,
      'gi',
    ),
  },
  {
    kind: 'person-as-cause',
    pattern:
      /\b(?:his|her|their|[A-Z][a-z]+['’]s) (?:mistake|error|blunder|carelessness|negligence|oversight)\b/g,
  },
  {
    kind: 'judgement',
    pattern:
      /\b(?:careless(?:ly|ness)?|negligen(?:t|ce|tly)|sloppy|sloppiness|lazy|laziness|incompeten(?:t|ce)|stupid(?:ity)?|dumb|reckless(?:ly|ness)?|inattentive|clueless|irresponsible)\b/gi,
  },
  {
    kind: 'judgement',
    pattern:
      /\b(?:shoddy|amateurish|unprofessional(?:ly)?|foolish(?:ly)?|thoughtless(?:ly)?|irresponsibl[ey]|idiotic|sloppily|half-assed)\b/gi,
  },
  { kind: 'judgement', pattern: /\b(?:poor|bad) (?:judg(?:e)?ment|call)\b/gi },
  { kind: 'judgement', pattern: /\bnot paying attention\b/gi },
  { kind: 'judgement', pattern: /\b(?:lack of|no) common sense\b/gi },
  { kind: 'blame', pattern: /\b(?:the )?fault of\b/gi },
  {
    kind: 'blame',
    pattern: /\b(?:his|her|their|my|our|[A-Z][a-z]+['’]s) fault\b/g,
  },
  { kind: 'blame', pattern: /\bat fault\b/gi },
  { kind: 'blame', pattern: /\bfault (?:lies|lay|rests) with\b/gi },
  {
    kind: 'blame',
    pattern:
      /\b(?:hold|held|holds) (?:\w+ ){1,3}accountable\b|\baccountable for (?:the|this) (?:outage|incident|failure|delay|mistake)\b/gi,
  },
  {
    kind: 'blame',
    pattern:
      /\bresponsibility for (?:the|this) (?:outage|incident|failure|mistake|data loss)\b|\btakes? responsibility for\b|\bmust answer for\b|\bshould answer for\b/gi,
  },
  {
    kind: 'blame',
    pattern:
      /\b[Tt]his (?:one )?is on [A-Z][a-z]+\b|\bis the one who caused\b/g,
  },
  {
    kind: 'blame',
    pattern:
      /\bkept away from production\b|\bhave a word with\b|\bremoved from the on-?call rotation\b|\battributable to the negligence\b/gi,
  },
  { kind: 'blame', pattern: /\b(?:to blame|blame[sd]?|blaming)\b(?!-?less)/gi },
  {
    kind: 'blame',
    pattern:
      /\bresponsible for (?:the|this) (?:outage|incident|failure|mistake)\b/gi,
  },
];

/**
 * Finds blaming, judging and counterfactual language in `text`. Findings are ordered by position and never
 * overlap (the first, longest match wins). `context` says who the people are (catalog users, the review's
 * participants) and which names are services, so that "Priya skipped the canary" is found and "Jenkins failed to
 * schedule the job" is not.
 */
function findBlameLanguage(
  nlp: Parser,
  text: string,
  context: BlameCheckContext = {},
): BlameFinding[] {
  const candidates: BlameFinding[] = findClauseBlame(nlp, text, context).map(
    f => ({
      ...f,
      text: text.slice(f.start, f.end),
      suggestion: suggestions[f.kind],
    }),
  );
  for (const { kind, pattern } of rules) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      candidates.push({
        kind,
        start,
        end: start + match[0].length,
        text: match[0],
        suggestion: suggestions[kind],
      });
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const findings: BlameFinding[] = [];
  for (const candidate of candidates) {
    const last = findings[findings.length - 1];
    if (!last || candidate.start >= last.end) {
      findings.push(candidate);
    }
  }
  return findings;
}

/** The blameless check, its language model loaded. */
export interface BlameCheck {
  /** The findings in one text, ordered by position, never overlapping. */
  findBlameLanguage(text: string, context?: BlameCheckContext): BlameFinding[];
  /** Checks several named sections at once, for the editor and the publish rule. */
  findBlameLanguageInSections(
    sections: Record<string, string | null | undefined>,
    context?: BlameCheckContext,
  ): Array<BlameFinding & { section: string }>;
}

/**
 * The blameless check on a given compromise parser (`import nlp from 'compromise/two'`): for a backend, which loads
 * it with the rest of its code. A frontend calls {@link loadBlameCheck}.
 */
export function blameCheckWith(nlp: Parser): BlameCheck {
  return {
    findBlameLanguage: (text, context) => findBlameLanguage(nlp, text, context),
    findBlameLanguageInSections: (sections, context = {}) =>
      Object.entries(sections).flatMap(([section, text]) =>
        text
          ? findBlameLanguage(nlp, text, context).map(finding => ({
              ...finding,
              section,
            }))
          : [],
      ),
  };
}

let loading: Promise<BlameCheck> | undefined;

/**
 * Loads the blameless check. Its language model (compromise, some 120 kB gzip) is loaded on first use, so that a
 * frontend bundles it apart and loads it only where reviews are written.
 */
export function loadBlameCheck(): Promise<BlameCheck> {
  loading ??= import('compromise/two').then(module =>
    blameCheckWith(
      ((module as { default?: Parser }).default ?? module) as unknown as Parser,
    ),
  );
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
