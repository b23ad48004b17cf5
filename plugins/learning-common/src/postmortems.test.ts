import type { Postmortem } from './records';
import {
  chooseTemplate,
  defaultPostmortemTemplate,
  diffRevisions,
  missingRequiredSections,
  type PostmortemTemplate,
} from './postmortems';
import { postmortemToMarkdown } from './postmortemMarkdown';

const base: Postmortem = {
  id: 'p1',
  version: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-01T00:00:00.000Z',
  title: 'Vendor outage',
  incidentIds: ['i1'],
  entityRefs: ['component:default/subtitle-service'],
  status: 'draft',
  timeline: [],
  contributingFactors: [],
  decisions: [],
  participants: [],
  feedback: { count: 0, entries: [] },
};

describe('templates', () => {
  const security: PostmortemTemplate = {
    id: 'security',
    title: 'Security review',
    kinds: ['security-event'],
    sections: [],
  };
  const major: PostmortemTemplate = {
    id: 'major',
    title: 'Major incident',
    severities: ['SEV1'],
    sections: [],
  };
  const general: PostmortemTemplate = {
    id: 'general',
    title: 'General',
    sections: [],
  };

  it('chooses by kind or worst severity, then a general template, then the default', () => {
    expect(
      chooseTemplate(
        [security, major, general],
        [{ severity: 'SEV3', kind: 'security-event' }],
      ).id,
    ).toBe('security');
    expect(
      chooseTemplate(
        [security, major, general],
        [
          { severity: 'SEV2', kind: 'incident' },
          { severity: 'SEV1', kind: 'incident' },
        ],
      ).id,
    ).toBe('major');
    expect(
      chooseTemplate(
        [security, major, general],
        [{ severity: 'SEV2', kind: 'incident' }],
      ).id,
    ).toBe('general');
    expect(
      chooseTemplate([security], [{ severity: 'SEV2', kind: 'incident' }]).id,
    ).toBe('default');
  });

  it('names the required sections still empty', () => {
    expect(missingRequiredSections(base, defaultPostmortemTemplate, 0)).toEqual(
      ['Summary', 'Impact', 'Contributing factors', 'Lessons'],
    );
    const filled = {
      ...base,
      summary: 'x',
      impact: 'y',
      lessons: 'z',
      contributingFactors: [{ category: 'capacity', text: '' }],
    };
    expect(
      missingRequiredSections(filled, defaultPostmortemTemplate, 0),
    ).toEqual([]);
    const withActions: PostmortemTemplate = {
      ...defaultPostmortemTemplate,
      sections: [
        {
          field: 'actionItems',
          title: 'Action items',
          prompt: '',
          required: true,
        },
      ],
    };
    expect(missingRequiredSections(base, withActions, 0)).toEqual([
      'Action items',
    ]);
    expect(missingRequiredSections(base, withActions, 1)).toEqual([]);
    expect(
      missingRequiredSections(
        { ...base, noActionReason: 'Nothing to prevent' },
        withActions,
        0,
      ),
    ).toEqual([]);
  });
});

describe('diffRevisions', () => {
  it('reports only changed fields, word by word', () => {
    const diff = diffRevisions(
      {
        title: 'Vendor outage',
        summary: 'The vendor timed out for two hours.',
        timeline: [],
      },
      {
        title: 'Vendor outage',
        summary: 'The vendor timed out for three hours.',
        timeline: [
          {
            at: '2026-11-01T10:00:00Z',
            kind: 'detection',
            text: 'Alert fired',
          },
        ],
      },
    );
    expect(diff.map(d => d.field)).toEqual(['summary', 'timeline']);
    expect(diff[0].parts.filter(p => p.removed).map(p => p.value)).toEqual([
      'two',
    ]);
    expect(diff[0].parts.filter(p => p.added).map(p => p.value)).toEqual([
      'three',
    ]);
    expect(diff[1].parts).toEqual([
      { value: '2026-11-01T10:00:00Z · detection · Alert fired', added: true },
    ]);
    expect(diffRevisions({ title: 'Same' }, { title: 'Same' })).toEqual([]);
  });
});

describe('postmortemToMarkdown', () => {
  it('renders sections, timeline, factors, decisions and actions as one document', () => {
    const md = postmortemToMarkdown(
      {
        ...base,
        status: 'published',
        publishedAt: '2026-11-05T10:00:00.000Z',
        summary: 'Subtitles stalled.',
        lessons: 'Rehearse failover.',
        timeline: [
          {
            at: '2026-11-01T10:00:00.000Z',
            kind: 'detection',
            text: 'Queue | age alert',
          },
        ],
        contributingFactors: [
          { category: 'dependency-timeout', text: 'No fallback vendor' },
        ],
        decisions: [
          { decision: 'Shift traffic', rationale: 'Customers first' },
        ],
        participants: [
          { entityRef: 'user:default/priya', role: 'facilitator' },
        ],
      },
      {
        actions: [
          {
            title: 'Circuit breaker',
            owner: 'group:default/localization-team',
            dueDate: '2026-12-01',
            status: 'open',
            priority: 'P0',
          },
        ],
      },
    );
    expect(md).toContain('# Vendor outage\n');
    expect(md).toContain('- Status: published (published 2026-11-05)');
    expect(md).toContain('## Summary\n\nSubtitles stalled.');
    expect(md).toContain(
      '| 2026-11-01 10:00 | detection | Queue \\| age alert |',
    );
    expect(md).toContain('- **dependency-timeout**: No fallback vendor');
    expect(md).toContain('- **Shift traffic**: Customers first');
    expect(md).toContain(
      '| Circuit breaker | P0 | group:default/localization-team | 2026-12-01 | open |',
    );
    expect(md.indexOf('## Summary')).toBeLessThan(md.indexOf('## Lessons'));
  });
});
