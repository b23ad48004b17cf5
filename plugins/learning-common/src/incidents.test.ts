import { incidentStatus, incidentTimelineProblem } from './incidents';
import { toIsoTimestamp } from './time';

describe('incidents', () => {
  it('derives status from milestones', () => {
    expect(incidentStatus({})).toBe('open');
    expect(incidentStatus({ mitigatedAt: '2026-01-01T00:00:00Z' })).toBe(
      'mitigated',
    );
    expect(
      incidentStatus({
        mitigatedAt: '2026-01-01T00:00:00Z',
        resolvedAt: '2026-01-01T01:00:00Z',
      }),
    ).toBe('resolved');
  });

  it('refuses milestones before the start', () => {
    const startedAt = '2026-01-01T10:00:00.000Z';
    expect(
      incidentTimelineProblem({
        startedAt,
        resolvedAt: '2026-01-01T11:00:00.000Z',
      }),
    ).toBeUndefined();
    expect(
      incidentTimelineProblem({
        startedAt,
        detectedAt: '2026-01-01T09:00:00.000Z',
      }),
    ).toBe('detectedAt must not be before startedAt');
    expect(
      incidentTimelineProblem({
        startedAt,
        mitigatedAt: '2026-01-01T12:00:00.000Z',
        resolvedAt: '2026-01-01T11:00:00.000Z',
      }),
    ).toBe('resolvedAt must not be before mitigatedAt');
  });

  it('reads timestamps from both databases the same way', () => {
    const iso = '2026-05-01T12:30:00.000Z';
    expect(toIsoTimestamp(new Date(iso))).toBe(iso);
    expect(toIsoTimestamp(iso)).toBe(iso);
    expect(toIsoTimestamp('2026-05-01 12:30:00')).toBe(iso);
    expect(toIsoTimestamp(null)).toBeUndefined();
  });
});
