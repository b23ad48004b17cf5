import { actionTiming, defaultDueDate } from './actions';

describe('defaultDueDate', () => {
  it('adds the priority SLO to the creation date', () => {
    expect(defaultDueDate('P0', '2026-01-10T12:00:00.000Z')).toBe('2026-01-24');
    expect(defaultDueDate('P3', '2026-01-10')).toBe('2026-04-10');
    expect(
      defaultDueDate('P1', '2026-01-10', { P0: 1, P1: 2, P2: 3, P3: 4 }),
    ).toBe('2026-01-12');
  });
});

describe('actionTiming', () => {
  const base = { createdAt: '2026-01-01T08:00:00.000Z', dueDate: '2026-01-31' };

  it('is not overdue on its due date, and one day overdue the day after', () => {
    expect(actionTiming({ ...base, status: 'open' }, '2026-01-31')).toEqual({
      overdue: false,
      daysPastDue: 0,
      ageDays: 30,
    });
    expect(actionTiming({ ...base, status: 'blocked' }, '2026-02-01')).toEqual({
      overdue: true,
      daysPastDue: 1,
      ageDays: 31,
    });
  });

  it('never flags finished work, and ages it until completion', () => {
    const done = actionTiming(
      { ...base, status: 'done', completedAt: '2026-01-11T00:00:00.000Z' },
      '2026-06-01',
    );
    expect(done).toEqual({ overdue: false, daysPastDue: 0, ageDays: 10 });
    expect(
      actionTiming({ ...base, status: 'wont-do' }, '2026-06-01').overdue,
    ).toBe(false);
  });
});
