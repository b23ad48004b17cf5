import {
  classifyFailureMode,
  summariseRecurrence,
  type FailureModeHistory,
} from './recurrence';

const occurrence = (n: number, startedAt: string) => ({
  incidentId: `i${n}`,
  title: `Outage ${n}`,
  startedAt,
  severity: 'SEV2' as const,
});
const twice: FailureModeHistory = {
  failureMode: 'dependency-timeout',
  occurrences: [
    occurrence(1, '2026-01-01T00:00:00.000Z'),
    occurrence(2, '2026-03-01T00:00:00.000Z'),
  ],
  actions: [],
};

describe('classifyFailureMode', () => {
  it('says "repeated without action" when nothing is linked, or only won\'t-do items', () => {
    expect(classifyFailureMode(twice)).toBe('repeated-without-action');
    expect(
      classifyFailureMode({
        ...twice,
        actions: [{ id: 'a', title: 'x', status: 'wont-do', type: 'prevent' }],
      }),
    ).toBe('repeated-without-action');
  });

  it('says "recurring" while follow-up is still open', () => {
    expect(
      classifyFailureMode({
        ...twice,
        actions: [
          { id: 'a', title: 'x', status: 'in-progress', type: 'prevent' },
        ],
      }),
    ).toBe('recurring');
  });

  it('says "learning did not hold" when a preventive action was done before the latest occurrence', () => {
    const done = {
      id: 'a',
      title: 'x',
      status: 'done' as const,
      type: 'prevent' as const,
      completedAt: '2026-02-01T00:00:00.000Z',
    };
    expect(classifyFailureMode({ ...twice, actions: [done] })).toBe(
      'learning-did-not-hold',
    );
    // completed after the latest occurrence: it may still work
    expect(
      classifyFailureMode({
        ...twice,
        actions: [{ ...done, completedAt: '2026-03-02T00:00:00.000Z' }],
      }),
    ).toBe('recurring');
    // a repair is not preventive
    expect(
      classifyFailureMode({ ...twice, actions: [{ ...done, type: 'repair' }] }),
    ).toBe('recurring');
  });
});

describe('summariseRecurrence', () => {
  it('reports no recurrence for single occurrences', () => {
    const summary = summariseRecurrence(
      [{ ...twice, occurrences: twice.occurrences.slice(0, 1) }],
      90,
    );
    expect(summary.status).toBe('no-recurrence');
    expect(summary.findings).toEqual([]);
    expect(summary.reason).toContain('90 days');
  });

  it('leads with the worst finding and names it in the reason', () => {
    const summary = summariseRecurrence([
      {
        ...twice,
        failureMode: 'capacity',
        actions: [{ id: 'a', title: 'x', status: 'open', type: 'prevent' }],
      },
      twice,
    ]);
    expect(summary.status).toBe('repeated-without-action');
    expect(summary.findings.map(f => f.failureMode)).toEqual([
      'dependency-timeout',
      'capacity',
    ]);
    expect(summary.reason).toContain('"dependency-timeout" happened 2 times');
  });
});
