import {
  decideReleaseGate,
  defaultReleaseGateRules,
  type GateFacts,
} from './gate';

const clean: GateFacts = {
  overdueActions: [],
  overduePostmortems: [],
  recurrence: { status: 'no-recurrence', reason: 'fine' },
};

describe('decideReleaseGate', () => {
  it('lets a clean entity through', () => {
    expect(
      decideReleaseGate('component:default/a', clean, defaultReleaseGateRules),
    ).toEqual({
      entityRef: 'component:default/a',
      blocked: false,
      reasons: [],
    });
  });

  it('blocks on each configured rule, with a reason naming the records', () => {
    const facts: GateFacts = {
      overdueActions: [
        {
          id: 'a1',
          title: 'Failover test',
          priority: 'P0',
          dueDate: '2026-11-10',
        },
        { id: 'a2', title: 'Dashboard', priority: 'P2', dueDate: '2026-11-01' },
      ],
      overduePostmortems: [
        {
          incidentId: 'i1',
          title: 'Outage',
          severity: 'SEV1',
          dueDate: '2026-11-05',
        },
      ],
      recurrence: {
        status: 'repeated-without-action',
        reason: '"capacity" happened 3 times',
      },
    };
    const decision = decideReleaseGate(
      'component:default/a',
      facts,
      defaultReleaseGateRules,
    );
    expect(decision.blocked).toBe(true);
    expect(decision.reasons.map(r => [r.rule, r.recordIds])).toEqual([
      ['overdue-preventive-action', ['a1']],
      ['postmortem-overdue', ['i1']],
      ['repeated-without-action', []],
    ]);
    expect(decision.reasons[0].message).toContain(
      '"Failover test" (due 2026-11-10)',
    );
    // for a screen: the reason in a few words, and its records with their titles
    expect(decision.reasons[0]).toMatchObject({
      summary: '1 overdue P0 preventive action',
      records: [
        {
          id: 'a1',
          kind: 'action',
          title: 'Failover test',
          dueDate: '2026-11-10',
        },
      ],
    });
    expect(decision.reasons[1].summary).toBe(
      '1 SEV1/SEV2 incident without a published postmortem past its due date',
    );
    const lenient = decideReleaseGate('component:default/a', facts, {
      overdueActionPriorities: ['P1'],
      postmortemSeverities: ['SEV2'],
      blockOnRepeatedWithoutAction: false,
    });
    expect(lenient).toMatchObject({ blocked: false, reasons: [] });
  });
});
