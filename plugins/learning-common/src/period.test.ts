import { DateTime } from 'luxon';
import { resolvePeriod } from './metrics';

describe('resolvePeriod', () => {
  const now = DateTime.fromISO('2026-11-27T12:00:00Z', { zone: 'utc' });

  it('defaults to the 90 days up to now, and the 90 days before', () => {
    expect(resolvePeriod({}, now)).toEqual({
      from: '2026-08-29T12:00:00.000Z',
      to: '2026-11-27T12:00:00.000Z',
      previous: {
        from: '2026-05-31T12:00:00.000Z',
        to: '2026-08-29T12:00:00.000Z',
      },
    });
  });

  it('takes days back from a given end, and a given start as it is', () => {
    expect(
      resolvePeriod({ to: '2026-11-01T00:00:00Z', days: 30 }, now),
    ).toMatchObject({
      from: '2026-10-02T00:00:00.000Z',
      previous: { from: '2026-09-02T00:00:00.000Z' },
    });
    expect(
      resolvePeriod(
        { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
        now,
      ),
    ).toEqual({
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-11-01T00:00:00.000Z',
      previous: {
        from: '2026-08-31T00:00:00.000Z',
        to: '2026-10-01T00:00:00.000Z',
      },
    });
  });
});
