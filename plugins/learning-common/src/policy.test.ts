import { defaultLearningSettings, postmortemDueDate } from './policy';
import { addBusinessDays } from './time';

describe('postmortemDueDate', () => {
  const policy = defaultLearningSettings.postmortems;

  it('counts business days from resolution, skipping weekends', () => {
    // 2026-11-20 is a Friday: five business days later is the next Friday
    expect(addBusinessDays('2026-11-20T23:00:00.000Z', 5)).toBe('2026-11-27');
    expect(addBusinessDays('2026-11-21', 1)).toBe('2026-11-23');
    expect(
      postmortemDueDate(
        {
          severity: 'SEV1',
          resolvedAt: '2026-11-20T10:00:00.000Z',
          kind: 'incident',
        },
        policy,
      ),
    ).toBe('2026-11-27');
    expect(
      postmortemDueDate(
        {
          severity: 'SEV2',
          resolvedAt: '2026-11-20T10:00:00.000Z',
          kind: 'incident',
        },
        policy,
      ),
    ).toBe('2026-12-04');
  });

  it('asks none for unresolved, minor, game-day or duplicate incidents', () => {
    const resolvedAt = '2026-11-20T10:00:00.000Z';
    expect(
      postmortemDueDate({ severity: 'SEV1', kind: 'incident' }, policy),
    ).toBeUndefined();
    expect(
      postmortemDueDate(
        { severity: 'SEV3', resolvedAt, kind: 'incident' },
        policy,
      ),
    ).toBeUndefined();
    expect(
      postmortemDueDate(
        { severity: 'SEV1', resolvedAt, kind: 'game-day' },
        policy,
      ),
    ).toBeUndefined();
    expect(
      postmortemDueDate(
        { severity: 'SEV1', resolvedAt, kind: 'incident', duplicateOfId: 'x' },
        policy,
      ),
    ).toBeUndefined();
  });
});
