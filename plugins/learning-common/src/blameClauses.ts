import type nlpType from 'compromise/two';

/** compromise's parser (`compromise/two`), loaded by `loadBlameCheck`. */
export type Parser = typeof nlpType;

/**
 * The clause-level part of the blameless check: who the people in a sentence are, whether one of them is the subject
 * of a clause, and what that clause says about them. Sentences, terms, their part-of-speech tags (passive, possessive,
 * negative, modal, personal names) come from compromise; the people the organisation knows (catalog users, the
 * review's participants) are tagged as people, and the names of its services are not people.
 */

/** Who the people and the things are, for the check. */
export interface BlameCheckContext {
  /** Names of people: catalog users' names, display names, email names; the review's participants. */
  people?: string[];
  /** Names that are not people even when they look like it: services, systems, bots. */
  notPeople?: string[];
}

/** A clause-level finding, before it gets its suggestion. */
export interface ClauseFinding {
  kind: 'counterfactual' | 'person-as-cause';
  start: number;
  end: number;
}

interface Token {
  text: string;
  /** Lower case, without a possessive ending or punctuation. */
  word: string;
  tags: Set<string>;
  start: number;
  end: number;
  /** Punctuation after the token ("," ";"). */
  post: string;
}

const pronouns = new Set([
  'he',
  'she',
  'they',
  'i',
  'you',
  'we',
  'someone',
  'somebody',
  'anyone',
  'anybody',
  'whoever',
  'everyone',
  'people',
]);
/** Words naming a person by role, or a group of people. */
const roles = new Set([
  'engineer',
  'engineers',
  'developer',
  'developers',
  'dev',
  'operator',
  'operators',
  'oncall',
  'on-call',
  'sre',
  'sres',
  'dba',
  'admin',
  'administrator',
  'reviewer',
  'author',
  'intern',
  'contractor',
  'hire',
  'lead',
  'manager',
  'commander',
  'responder',
  'person',
  'tester',
  'team',
  'squad',
  'staff',
  'qa',
  'support',
  'management',
  'infrastructure',
  'ops',
]);
/** Words before a role that keep it a person: "the junior developer", "any competent engineer". */
const roleLeads = new Set([
  'the',
  'a',
  'an',
  'our',
  'their',
  'your',
  'one',
  'any',
  'every',
  'that',
  'this',
  'junior',
  'senior',
  'new',
  'competent',
  'experienced',
  'deploy',
  'release',
  'tech',
  'team',
  'incident',
  'database',
  'network',
  'platform',
  'payments',
  'mobile',
  'frontend',
  'backend',
  'data',
  'security',
  'ops',
  'product',
  'sre',
  'on',
  'call',
  'duty',
]);
/** Verbs that make their subject the cause of harm. */
const faultVerbs = new Set([
  'break',
  'breaks',
  'ignore',
  'ignores',
  'overlook',
  'miss',
  'misses',
  'forget',
  'forgets',
  'neglect',
  'skip',
  'skips',
  'delete',
  'misjudged',
  'misunderstood',
  'mishandled',
  'mismanaged',
  'bungled',
  'fumbled',
  'blew',
  'wrecked',
  'corrupted',
  'destroyed',
  'abandoned',
  'hurried',
  'broke',
  'broken',
  'ignored',
  'overlooked',
  'missed',
  'forgot',
  'neglected',
  'skipped',
  'botched',
  'messed',
  'screwed',
  'rushed',
  'deleted',
  'dropped',
  'misconfigured',
  'misread',
  'mistyped',
  'leaked',
  'overwrote',
  'wiped',
  'wasted',
  'panicked',
  'slept',
  'refused',
  'caused',
  'bypassed',
  'disabled',
  'silenced',
  'hard-coded',
  'hardcoded',
  'locked',
  'lost',
  'let',
  'left',
  'failed',
]);
/** Verbs a person is expected to do; not doing them ("did not check") is blamed. */
const dutyVerbs = new Set([
  'do',
  'communicate',
  'coordinate',
  'document',
  'inform',
  'respond',
  'acknowledge',
  'answer',
  'confirm',
  'validate',
  'pay',
  'tests',
  'checks',
  'reads',
  'follows',
  'reviews',
  'check',
  'checked',
  'test',
  'tested',
  'follow',
  'followed',
  'read',
  'look',
  'looked',
  'review',
  'reviewed',
  'verify',
  'verified',
  'warn',
  'warned',
  'tell',
  'told',
  'escalate',
  'escalated',
  'notice',
  'noticed',
  'think',
  'thought',
  'listen',
  'listened',
  'ask',
  'asked',
  'bother',
  'bothered',
  'understand',
  'double-check',
  'monitor',
  'renew',
  'update',
]);
/** Words in a clause that make a person's action a fault: "the wrong region", "without telling anyone". */
const faultCues = new Set([
  'wrong',
  'worst',
  'nothing',
  'accidentally',
  'accident',
  'instead',
  'worse',
  'carelessly',
  'recklessly',
  'blindly',
]);
/** Passive verbs whose agent is merely credited, not blamed. */
const creditVerbs = new Set([
  'written',
  'drafted',
  'led',
  'reported',
  'found',
  'spotted',
  'noticed',
  'fixed',
  'restored',
  'resolved',
  'handled',
  'coordinated',
  'approved',
  'reviewed',
  'paged',
]);
const hindsightModals = new Set(['should', 'ought', 'must', 'needed']);
/** Sentences that credit people: nothing in them is blame. */
const credits = new Set([
  'thanks',
  'thank',
  'kudos',
  'shout-out',
  'shout',
  'props',
]);
const clauseStarts = new Set([
  'and',
  'but',
  'because',
  'so',
  'while',
  'which',
  'who',
  'when',
  'after',
  'before',
  'since',
  'although',
  'though',
  'until',
  'once',
  'as',
  'if',
  'whereas',
]);

/** Lower-case words of some names: "Priya Sharma", "priya.sharma@example.com" give "priya", "sharma", … */
function wordsOf(names: string[] | undefined): Set<string> {
  return new Set(
    (names ?? []).flatMap(name =>
      name
        .toLocaleLowerCase('en-US')
        .split(/[\s._@-]+/)
        .filter(word => word.length > 1),
    ),
  );
}

function tokensOf(
  nlp: Parser,
  text: string,
  context: BlameCheckContext,
): Token[][] {
  // the organisation's people and things are applied to the tags here, never to compromise's lexicon (which is
  // shared by every parse of the process)
  const people = wordsOf(context.people);
  const notPeople = wordsOf(context.notPeople);
  const sentences = nlp(text).json({ offset: true }) as Array<{
    terms: Array<{
      text: string;
      normal: string;
      tags: string[];
      post: string;
      offset: { start: number; length: number };
    }>;
  }>;
  return sentences.map(s =>
    s.terms.map(t => {
      const word = t.normal
        .replace(/['’]s$/, '')
        .replace(/[^\p{L}\p{N}-]/gu, '');
      const tags = new Set(t.tags);
      if (notPeople.has(word)) tags.delete('Person');
      else if (people.has(word)) tags.add('Person');
      return {
        text: t.text,
        word,
        tags,
        start: t.offset.start,
        end: t.offset.start + t.offset.length,
        post: t.post ?? '',
      };
    }),
  );
}

/** Splits a sentence's tokens at commas, semicolons and the words that begin a clause. */
function clausesOf(tokens: Token[]): Token[][] {
  const clauses: Token[][] = [];
  let current: Token[] = [];
  tokens.forEach((t, i) => {
    if (current.length && clauseStarts.has(t.word) && i > 0) {
      clauses.push(current);
      current = [];
    }
    current.push(t);
    if (/[,;:—–]/.test(t.post)) {
      clauses.push(current);
      current = [];
    }
  });
  if (current.length) clauses.push(current);
  return clauses;
}

function isName(t: Token): boolean {
  return t.tags.has('Person') && /^\p{Lu}/u.test(t.text);
}

/** The length of the person mention starting at `i`, or 0. */
function personAt(tokens: Token[], i: number): number {
  const t = tokens[i];
  if (!t) return 0;
  if (isName(t)) return tokens[i + 1] && isName(tokens[i + 1]) ? 2 : 1;
  if (pronouns.has(t.word)) return 1;
  if (t.word === 'no' && tokens[i + 1]?.word === 'one') return 2;
  // a role, perhaps after a determiner and describing words: "the on-call engineer", "our DBA", "the data team"
  for (let k = i; k < Math.min(tokens.length, i + 5); k++) {
    if (roles.has(tokens[k].word)) {
      let end = k + 1;
      while (tokens[end] && roles.has(tokens[end].word)) end++;
      return end - i;
    }
    const lead =
      roleLeads.has(tokens[k].word) ||
      (k > i &&
        (tokens[k].tags.has('Adjective') ||
          (tokens[k].tags.has('Noun') && !tokens[k].tags.has('Pronoun'))));
    if (!lead || tokens[k].tags.has('Verb')) break;
  }
  // "on-call" on its own, split by the tokenizer into "on" and "call"
  if (
    t.word === 'the' &&
    tokens[i + 1]?.word === 'on' &&
    tokens[i + 2]?.word === 'call'
  )
    return 3;
  return 0;
}

/** Where the clause's subject is a person: the mention before its first verb. */
function personSubject(
  clause: Token[],
): { at: number; length: number } | undefined {
  for (let i = 0; i < clause.length; i++) {
    const length = personAt(clause, i);
    if (length) return { at: i, length };
    const t = clause[i];
    if (t.tags.has('Verb') && !t.tags.has('Gerund')) return undefined;
    if (t.tags.has('Noun') && !t.tags.has('Pronoun') && i > 0) {
      // another noun phrase came first: its subject is not a person ("the alert fired")
      if (!clause[i - 1].tags.has('Preposition')) return undefined;
    }
  }
  return undefined;
}

const span = (from: Token, to: Token) => ({ start: from.start, end: to.end });

/** A counterfactual condition about a person: "if Dana had read", "had the on-call checked", "were the operator". */
function conditional(clause: Token[], sentence: Token[]): ClauseFinding[] {
  const first = clause[0];
  const startsSentence = first === sentence[0];
  let at = -1;
  if (first.word === 'if') at = clause[1]?.word === 'only' ? 2 : 1;
  else if (['had', 'were'].includes(first.word)) {
    // inverted: "Had the engineer…", "…, had the developer paid attention"
    const before = sentence[sentence.indexOf(first) - 1];
    if (startsSentence || /,/.test(before?.post ?? '')) at = 1;
  }
  if (at < 0) {
    // "…was avoidable had the developer paid attention": an inverted condition inside the clause
    for (let i = 1; i < clause.length - 2; i++) {
      if (clause[i].word !== 'had') continue;
      const prior = clause[i - 1];
      if (prior.tags.has('Noun') || prior.tags.has('Pronoun')) continue;
      const length = personAt(clause, i + 1);
      const verb = clause[i + 1 + length];
      if (length && verb?.tags.has('PastTense'))
        return [{ kind: 'counterfactual', ...span(clause[i], verb) }];
    }
    return [];
  }
  const length = personAt(clause, at);
  const negated = clause[at]?.word === 'not';
  const inverted = ['had', 'were'].includes(first.word);
  const subject = length ? at : -1;
  if (subject < 0 && !(inverted && negated && personAt(clause, at + 1)))
    return clause[1]?.word === 'only' && first.word === 'if'
      ? [{ kind: 'counterfactual', ...span(first, clause[1]) }]
      : [];
  if (first.word === 'if' && clause[1]?.word !== 'only') {
    // "if Tom had…", "if people actually read…" with a would/could in the sentence: hindsight
    const counterfactual =
      clause.some(t => t.word === 'had' || t.word === 'were') ||
      sentence.some(t => ['would', 'could'].includes(t.word));
    if (!counterfactual) return [];
  }
  const last =
    clause[Math.min(clause.length - 1, Math.max(at + length, at + 1) + 1)];
  return [{ kind: 'counterfactual', ...span(first, last) }];
}

/** Hindsight about what a person should, ought to or must have done: "the on-call should have paged". */
function hindsight(
  clause: Token[],
  subject: { at: number; length: number },
): ClauseFinding[] {
  for (let i = subject.at + subject.length; i < clause.length; i++) {
    const t = clause[i];
    // "should not have pushed" reads as "should have pushed"
    const next =
      clause[i + 1]?.word === 'not' || clause[i + 1]?.tags.has('Negative')
        ? clause[i + 2]
        : clause[i + 1];
    const generic =
      ['anyone', 'everyone'].includes(clause[subject.at].word) ||
      ['any', 'every'].includes(clause[subject.at].word);
    if (
      (hindsightModals.has(t.word) &&
        (next?.word === 'have' ||
          next?.word === 'to' ||
          next?.word === 'be' ||
          next?.word === 'know' ||
          next?.word === 'known')) ||
      (t.word === 'supposed' && next?.word === 'to') ||
      (t.word === 'could' &&
        next?.word === 'have' &&
        clause[i + 2]?.tags.has('PastTense')) ||
      (generic && ['would', 'could'].includes(t.word) && next?.word === 'have')
    ) {
      // "we should have a second person on call" is a plan, not hindsight
      if (next?.word === 'have' && clause[i + 2]?.tags.has('Determiner'))
        return [];
      return [
        {
          kind: 'counterfactual',
          ...span(
            clause[subject.at],
            clause[Math.min(clause.length - 1, i + 2)],
          ),
        },
      ];
    }
    if (
      t.word === 'had' &&
      next?.word === 'every' &&
      clause[i + 2]?.word === 'chance'
    )
      return [
        { kind: 'counterfactual', ...span(clause[subject.at], clause[i + 2]) },
      ];
  }
  return [];
}

/** A person as the subject of a clause that makes them the cause: a fault verb, a neglected duty, "the wrong…". */
function personAsCause(
  clause: Token[],
  subject: { at: number; length: number },
  explained = false,
): ClauseFinding[] {
  const rest = clause.slice(subject.at + subject.length);
  // the person is the one acted on ("had not been shown"): not their doing
  if (rest.some(t => t.tags.has('Passive'))) return [];
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i];
    const next = rest[i + 1];
    const negation =
      t.tags.has('Negative') || t.word === 'not' || /n['’]t$/.test(t.text);
    const cue =
      (faultVerbs.has(t.word) &&
        t.tags.has('Verb') &&
        !(t.word === 'failed' && next?.word === 'over') &&
        !(t.word === 'left' && next?.tags.has('Date'))) ||
      (faultCues.has(t.word) && !explained) ||
      (t.word === 'without' &&
        !!next &&
        ['Gerund', 'Noun', 'Determiner', 'Adjective'].some(tag =>
          next.tags.has(tag),
        )) ||
      (t.word === 'with' && next?.word === 'no') ||
      (t.word === 'as' && next?.word === 'usual') ||
      (t.word === 'cut' && next?.word === 'corners') ||
      (t.word === 'coded' && rest[i - 1]?.word === 'hard') ||
      (t.word === 'too' && ['slow', 'late'].includes(next?.word ?? '')) ||
      (t.word === 'took' && next?.word === 'down') ||
      (t.word === 'brought' && next?.word === 'down') ||
      (negation && rest.slice(i + 1, i + 4).some(v => dutyVerbs.has(v.word)));
    if (cue) {
      const end = rest[Math.min(rest.length - 1, i + 1)];
      return [{ kind: 'person-as-cause', ...span(clause[subject.at], end) }];
    }
  }
  return [];
}

/** A person as the agent of a passive harm: "overwritten by Ahmed", "caused by Kevin's change". */
function passiveAgent(sentence: Token[]): ClauseFinding[] {
  const out: ClauseFinding[] = [];
  sentence.forEach((t, i) => {
    if (!['by', 'to', 'of'].includes(t.word)) return;
    const verb = sentence
      .slice(Math.max(0, i - 3), i)
      .reverse()
      .find(
        v =>
          v.tags.has('Passive') ||
          ['caused', 'down', 'due', 'because'].includes(v.word),
      );
    if (!verb || creditVerbs.has(verb.word)) return;
    if (t.word !== 'by' && !['down', 'due', 'because'].includes(verb.word))
      return;
    const length = personAt(sentence, i + 1);
    if (!length) return;
    out.push({
      kind: 'person-as-cause',
      ...span(verb, sentence[i + length]),
    });
  });
  return out;
}

/** A person's thing as the subject of harm: "Priya's change took down checkout". */
function possessiveCause(sentence: Token[]): ClauseFinding[] {
  const out: ClauseFinding[] = [];
  sentence.forEach((t, i) => {
    if (!t.tags.has('Possessive') || !isName(t)) return;
    const verb = sentence[i + 2];
    if (
      verb &&
      (faultVerbs.has(verb.word) ||
        ['took', 'brought', 'cost'].includes(verb.word))
    )
      out.push({ kind: 'person-as-cause', ...span(t, verb) });
  });
  return out;
}

/** Words of a clause's own, after a leading conjunction or relative pronoun. */
function ownStart(clause: Token[]): number {
  return clauseStarts.has(clause[0]?.word) ? 1 : 0;
}

/** A person mentioned right before a clause ("It was Greta who…", "a developer who…"). */
function mentionedBefore(
  sentence: Token[],
  clause: Token[],
): { at: number; length: number } | undefined {
  const first = sentence.indexOf(clause[0]);
  for (let at = Math.max(0, first - 4); at < first; at++) {
    const length = personAt(sentence, at);
    if (length && at + length === first) return { at, length };
  }
  return undefined;
}

/** Whether the sentence explains an action by the system ("…because the dashboard pointed at the cache"). */
function explainedBySystem(clauses: Token[][]): boolean {
  return clauses.some(
    c =>
      ['because', 'as', 'since'].includes(c[0]?.word) &&
      !personSubject(c.slice(1)),
  );
}

/** Clause-level findings in a text: counterfactual conditions and hindsight about people, people as the cause. */
export function findClauseBlame(
  nlp: Parser,
  text: string,
  context: BlameCheckContext = {},
): ClauseFinding[] {
  const findings: ClauseFinding[] = [];
  for (const sentence of tokensOf(nlp, text, context)) {
    // "Thanks to Priya for…", "Kudos to Dana, who found…": credit, not blame
    if (sentence.some(t => credits.has(t.word))) continue;
    findings.push(...passiveAgent(sentence), ...possessiveCause(sentence));
    const clauses = clausesOf(sentence);
    const explained = explainedBySystem(clauses);
    // "Despite clear instructions, the engineer ran…": what the person did was against a warning
    const despite = sentence[0]?.word === 'despite';
    let previous:
      | { clause: Token[]; subject: { at: number; length: number } }
      | undefined;
    for (const clause of clauses) {
      const conditions = conditional(clause, sentence);
      if (conditions.length) {
        findings.push(...conditions);
        continue;
      }
      const own = clause.slice(ownStart(clause));
      let subject = personSubject(own);
      let subjectClause = own;
      if (!subject && ['who', 'that'].includes(clause[0].word)) {
        // a relative clause about the person just named: "It was Greta who dropped the index"
        const named = mentionedBefore(sentence, clause);
        if (named) {
          subjectClause = [
            ...sentence.slice(named.at, named.at + named.length),
            ...own,
          ];
          subject = { at: 0, length: named.length };
        }
      }
      if (
        !subject &&
        previous &&
        ['and', 'but', 'which'].includes(clause[0].word) &&
        own[0] &&
        (own[0].tags.has('Verb') ||
          own[0].tags.has('Negative') ||
          own[0].tags.has('Adverb'))
      ) {
        // "…and did not look", "…, which caused the data loss": the same person's doing
        subjectClause = [
          ...previous.clause.slice(
            previous.subject.at,
            previous.subject.at + previous.subject.length,
          ),
          ...own,
        ];
        subject = { at: 0, length: previous.subject.length };
      }
      if (!subject) continue;
      previous = { clause: subjectClause, subject };
      const causes = personAsCause(subjectClause, subject, explained);
      findings.push(...hindsight(subjectClause, subject), ...causes);
      if (despite && !causes.length) {
        findings.push({
          kind: 'person-as-cause',
          ...span(
            sentence[0],
            subjectClause[
              Math.min(subjectClause.length - 1, subject.at + subject.length)
            ],
          ),
        });
      }
    }
  }
  return findings;
}
