import { render, screen } from '@testing-library/react';
import type { MonthTrend } from '@learning-loop/plugin-learning-common';
import {
  AgingChart,
  BurnUpChart,
  IncidentsBySeverityChart,
  RecoveryChart,
} from './Charts';

// A chart is a picture to the eye and a sentence to a screen reader: each figure carries its data as its
// accessible name, so the numbers are there for those who cannot see the bars.

const trends: MonthTrend[] = [
  {
    month: '2026-09',
    bySeverity: { SEV1: 1, SEV3: 2 },
    incidents: 3,
    incidentsInterval: [0.8, 7.8],
    recurrences: 1,
    repeatRateInterval: [0.087, 0.745],
    ttrMedianMinutes: 90,
    actionsOpened: 4,
    actionsClosed: 1,
  },
  {
    month: '2026-11',
    bySeverity: { SEV3: 10 },
    incidents: 10,
    incidentsInterval: [5.4, 16.96],
    recurrences: 0,
    repeatRateInterval: [0, 0.21],
    ttrMedianMinutes: 50,
    ttrMedianInterval: [20, 90],
    actionsOpened: 0,
    actionsClosed: 0,
  },
  {
    month: '2026-10',
    bySeverity: {},
    incidents: 0,
    incidentsInterval: [0, 3],
    recurrences: 0,
    actionsOpened: 0,
    actionsClosed: 2,
  },
];

describe('overview charts', () => {
  it('describes incidents by severity month by month, a missing severity as 0', () => {
    render(<IncidentsBySeverityChart trends={trends} />);
    expect(
      screen.getByRole('img', {
        name: 'Incidents by severity, per month. 2026-09: 1 SEV1, 0 SEV2, 2 SEV3, 0 SEV4; 2026-11: 0 SEV1, 0 SEV2, 10 SEV3, 0 SEV4; 2026-10: 0 SEV1, 0 SEV2, 0 SEV3, 0 SEV4',
      }),
    ).toBeInTheDocument();
  });

  it('describes time to resolve in hours and the repeat rate with their intervals, n/a for a month without incidents', () => {
    render(<RecoveryChart trends={trends} />);
    expect(
      screen.getByRole('img', {
        name: 'Time to resolve and repeat rate, per month. 2026-09: TTR 1.5 h, repeat 33% (interval 9–75); 2026-11: TTR 0.8 h (interval 0.3–1.5), repeat 0% (interval 0–21); 2026-10: TTR n/a h, repeat n/a%',
      }),
    ).toBeInTheDocument();
  });

  it('describes actions opened against closed, and open actions by age', () => {
    render(
      <>
        <BurnUpChart trends={trends} />
        <AgingChart
          aging={[
            { bucket: '0-30 days', actions: 5 },
            { bucket: 'over 90 days', actions: 2 },
          ]}
        />
      </>,
    );
    expect(
      screen.getByRole('img', {
        name: 'Actions opened versus closed, per month. 2026-09: 4 opened, 1 closed; 2026-11: 0 opened, 0 closed; 2026-10: 0 opened, 2 closed',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Open actions by age. 0-30 days: 5; over 90 days: 2',
      }),
    ).toBeInTheDocument();
  });
});
