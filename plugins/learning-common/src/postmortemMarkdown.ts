import type { Postmortem } from './records';
import { plainText } from './plainText';
import type { MarkdownSectionField } from './postmortems';

const titles: Record<MarkdownSectionField, string> = {
  summary: 'Summary',
  impact: 'Impact',
  detection: 'Detection',
  response: 'Response',
  recovery: 'Recovery',
  wentWell: 'What went well',
  wentPoorly: 'What went poorly',
  whereWeGotLucky: 'Where we got lucky',
  whyWeWereSurprised: 'Why we were surprised',
  lessons: 'Lessons',
};

const cell = (text: string | undefined) => plainText(text);

/** The postmortem as one Markdown document, for download and for pasting elsewhere. */
export function postmortemToMarkdown(
  p: Postmortem,
  extras: {
    actions?: Array<{
      title: string;
      owner: string;
      dueDate: string;
      status: string;
      priority: string;
    }>;
  } = {},
): string {
  const lines: string[] = [`# ${plainText(p.title)}`, ''];
  lines.push(
    `- Status: ${p.status}${
      p.publishedAt ? ` (published ${p.publishedAt.slice(0, 10)})` : ''
    }`,
  );
  lines.push(`- Entities: ${p.entityRefs.join(', ')}`);
  if (p.reviewDate) lines.push(`- Review meeting: ${p.reviewDate}`);
  if (p.participants.length)
    lines.push(
      `- Participants: ${p.participants
        .map(x => `${x.entityRef} (${x.role})`)
        .join(', ')}`,
    );
  lines.push('');
  const markdown = (field: MarkdownSectionField) => {
    if (p[field]?.trim())
      lines.push(`## ${titles[field]}`, '', p[field]!.trim(), '');
  };
  (['summary', 'impact', 'detection', 'response', 'recovery'] as const).forEach(
    markdown,
  );
  if (p.timeline.length) {
    lines.push(
      '## Timeline',
      '',
      '| When (UTC) | Kind | What happened |',
      '| --- | --- | --- |',
    );
    for (const t of p.timeline)
      lines.push(
        `| ${t.at.replace('T', ' ').slice(0, 16)} | ${t.kind} | ${cell(
          t.text,
        )} |`,
      );
    lines.push('');
  }
  if (p.contributingFactors.length) {
    lines.push('## Contributing factors', '');
    for (const f of p.contributingFactors)
      lines.push(`- **${f.category}**${f.text ? `: ${f.text}` : ''}`);
    lines.push('');
  }
  (
    [
      'wentWell',
      'wentPoorly',
      'whereWeGotLucky',
      'whyWeWereSurprised',
      'lessons',
    ] as const
  ).forEach(markdown);
  if (p.decisions.length) {
    lines.push('## Decisions', '');
    for (const d of p.decisions)
      lines.push(
        `- **${d.decision}**${d.rationale ? `: ${d.rationale}` : ''}${
          d.decidedBy ? ` (${d.decidedBy})` : ''
        }`,
      );
    lines.push('');
  }
  if (extras.actions?.length) {
    lines.push(
      '## Action items',
      '',
      '| Action | Priority | Owner | Due | Status |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const a of extras.actions)
      lines.push(
        `| ${cell(a.title)} | ${a.priority} | ${a.owner} | ${a.dueDate} | ${
          a.status
        } |`,
      );
    lines.push('');
  } else if (p.noActionReason) {
    lines.push(
      '## Action items',
      '',
      `No action needed: ${p.noActionReason}`,
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
