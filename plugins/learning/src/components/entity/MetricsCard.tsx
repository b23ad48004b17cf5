import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import {
  describeComparison,
  periodHasData,
  type DeploymentComparison,
  type DeploymentMetrics,
  type DurationStats,
  type LearningMetrics,
  type MetricChanges,
  type MetricsComparison,
  type Rate,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';

/** Periods the tab offers. */
export const metricPeriods = [30, 90, 180, 365];

const minutes = (m?: number) => {
  if (m === undefined) return '—';
  return m < 120
    ? `${Math.round(m)} min`
    : `${Math.round((m / 60) * 10) / 10} h`;
};
const percent = (r: Rate) =>
  r.value === undefined ? '—' : `${Math.round(r.value * 100)}%`;
const stats = (s: DurationStats, unit: (v?: number) => string) =>
  `${unit(s.median)} / ${unit(s.p90)}`;
const days = (d?: number) => (d === undefined ? '—' : `${d} d`);

type Row = {
  label: string;
  definition: string;
  show: (m: LearningMetrics) => string;
  n: (m: LearningMetrics) => number;
  /** The server's comparison of the figure with the previous period; absent where none is offered. */
  change?: keyof MetricChanges;
};

const rows: Row[] = [
  {
    label: 'Incidents',
    definition:
      'Incidents started in the period; game days and duplicates left out.',
    show: m => String(m.incidents.n),
    n: m => m.incidents.n,
    change: 'incidents',
  },
  {
    label: 'Time to detect (median / p90)',
    definition: 'Detected minus started.',
    show: m => stats(m.ttd, minutes),
    n: m => m.ttd.n,
    change: 'ttd',
  },
  {
    label: 'Time to acknowledge (median / p90)',
    definition: 'Acknowledged minus started.',
    show: m => stats(m.tta, minutes),
    n: m => m.tta.n,
    change: 'tta',
  },
  {
    label: 'Time to mitigate (median / p90)',
    definition: 'Mitigated minus started.',
    show: m => stats(m.ttm, minutes),
    n: m => m.ttm.n,
    change: 'ttm',
  },
  {
    label: 'Time to resolve (median / p90)',
    definition: 'Resolved minus started.',
    show: m => stats(m.ttr, minutes),
    n: m => m.ttr.n,
    change: 'ttr',
  },
  {
    label: 'Repeat-incident rate',
    definition:
      'Incidents that recur a failure mode seen on the same entity within the recurrence window, divided by all incidents.',
    show: m => percent(m.repeatRate),
    n: m => m.repeatRate.denominator,
    change: 'repeatRate',
  },
  {
    label: 'Postmortem coverage',
    definition: 'Incidents needing a postmortem that have a published one.',
    show: m => percent(m.postmortemCoverage),
    n: m => m.postmortemCoverage.denominator,
    change: 'postmortemCoverage',
  },
  {
    label: 'Postmortem lead time, SEV1 / SEV2 (median)',
    definition: 'Published minus resolved, in days.',
    show: m =>
      `${days(m.postmortemLeadTimeDays.SEV1.median)} / ${days(
        m.postmortemLeadTimeDays.SEV2.median,
      )}`,
    n: m => m.postmortemLeadTimeDays.SEV1.n + m.postmortemLeadTimeDays.SEV2.n,
  },
  {
    label: 'Action completion',
    definition:
      "Among actions due in the period, done ÷ (done + open); won't-do left out.",
    show: m => percent(m.actionCompletion),
    n: m => m.actionCompletion.denominator,
    change: 'actionCompletion',
  },
  {
    label: 'Actions done on time',
    definition: 'Done by the due date ÷ due in the period.',
    show: m => percent(m.actionOnTime),
    n: m => m.actionOnTime.denominator,
    change: 'actionOnTime',
  },
  {
    label: 'Preventive actions that held',
    definition:
      'Effective ÷ (effective + ineffective), among actions completed in the period whose watch window has given a verdict.',
    show: m => percent(m.effectiveness),
    n: m => m.effectiveness.denominator,
    change: 'effectiveness',
  },
];

/** The deployment figures (DORA's change failure rate and failed-deployment recovery time). */
const deploymentRows: Array<{
  label: string;
  definition: string;
  show: (d: DeploymentMetrics) => string;
  n: (d: DeploymentMetrics) => number;
  change: keyof DeploymentComparison['changes'];
}> = [
  {
    label: 'Change failure rate',
    definition:
      'Production deployments that failed, were rolled back, or that an incident names as its trigger (within the failure window), divided by the deployments that finished in the period.',
    show: d => percent(d.changeFailureRate),
    n: d => d.deployments,
    change: 'changeFailureRate',
  },
  {
    label: 'Failed deployment recovery time (median / p90)',
    definition:
      'From a failed deployment finishing to the next successful deployment of the same entity and environment, or to the resolution of the incidents that name it.',
    show: d => stats(d.recoveryMinutes, minutes),
    n: d => d.recoveryMinutes.n,
    change: 'recoveryMinutes',
  },
];

/** A figure of one period with its sample size, or "no data" for a period before the first record. */
function Figure(props: {
  row: Row;
  metrics: LearningMetrics;
  answer: MetricsComparison;
}) {
  const { row, metrics, answer } = props;
  if (!periodHasData(metrics, answer.dataSince)) return <>no data</>;
  return (
    <>
      {row.show(metrics)} <small>(n={row.n(metrics)})</small>
    </>
  );
}

/** The entity's learning metrics for a chosen period next to the period before, each with its sample size. */
export function MetricsCard(props: { entityRef?: string }) {
  const api = useApi(learningApiRef);
  const [period, setPeriod] = useState(90);
  const { value, loading, error } = useAsync(
    () => api.getMetrics({ entityRef: props.entityRef, days: period }),
    [api, props.entityRef, period],
  );
  return (
    <InfoCard
      title="Is learning working?"
      subheader="Medians and 90th percentiles with their sample size n, never bare means"
      action={
        <TextField
          select
          size="small"
          label="Period"
          value={period}
          onChange={e => setPeriod(Number(e.target.value))}
          inputProps={{ 'aria-label': 'Metrics period' }}
        >
          {metricPeriods.map(d => (
            <MenuItem key={d} value={d}>
              Last {d} days
            </MenuItem>
          ))}
        </TextField>
      }
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <Table size="small" aria-label="Learning metrics">
          <TableHead>
            <TableRow>
              <TableCell>Metric</TableCell>
              <TableCell>Last {period} days</TableCell>
              <TableCell>Previous {period} days</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.label}>
                <TableCell>
                  <Tooltip title={row.definition}>
                    <span>{row.label}</span>
                  </Tooltip>
                </TableCell>
                <TableCell data-testid={`metric-${row.label}`}>
                  <Figure row={row} metrics={value.current} answer={value} />
                </TableCell>
                <TableCell>
                  <Figure row={row} metrics={value.previous} answer={value} />
                </TableCell>
                <TableCell>
                  {row.change
                    ? describeComparison(value.changes[row.change])
                    : '—'}
                </TableCell>
              </TableRow>
            ))}
            {value.deployments &&
              deploymentRows.map(row => (
                <TableRow key={row.label}>
                  <TableCell>
                    <Tooltip title={row.definition}>
                      <span>{row.label}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell data-testid={`metric-${row.label}`}>
                    {row.show(value.deployments!.current)}{' '}
                    <small>(n={row.n(value.deployments!.current)})</small>
                  </TableCell>
                  <TableCell>
                    {row.show(value.deployments!.previous)}{' '}
                    <small>(n={row.n(value.deployments!.previous)})</small>
                  </TableCell>
                  <TableCell>
                    {describeComparison(value.deployments!.changes[row.change])}
                  </TableCell>
                </TableRow>
              ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
