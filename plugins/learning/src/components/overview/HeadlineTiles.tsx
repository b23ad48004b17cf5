import { InfoCard } from '@backstage/core-components';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  severities,
  describeComparison as describe,
  periodHasData,
  type DeploymentComparison,
  type HeadlineChanges,
  type OverviewHeadline as Headline,
  type Rate,
} from '@learning-loop/plugin-learning-common';

const pct = (r?: Rate) =>
  r?.value === undefined ? '—' : `${Math.round(r.value * 100)}%`;
const hours = (m?: number) =>
  m === undefined ? '—' : `${Math.round((m / 60) * 10) / 10} h`;

function Tile(props: {
  label: string;
  value: string;
  previous: string;
  /** What "previous" is: the previous period, or the end of it for figures that are judged at a moment. */
  previousLabel?: string;
  n: number;
  change?: string;
  testId: string;
  hasNow: boolean;
  hasBefore: boolean;
}) {
  return (
    <InfoCard>
      <Typography variant="overline">{props.label}</Typography>
      <Typography variant="h4" component="p" data-testid={props.testId}>
        {props.hasNow ? props.value : 'no data'}
      </Typography>
      <Typography variant="caption" component="p">
        {props.previousLabel ?? 'previous period'}{' '}
        {props.hasBefore ? props.previous : 'no data'} ·{' '}
        {props.change ?? `n=${props.n}`}
      </Typography>
    </InfoCard>
  );
}

/** Change failure rate and recovery time, as tiles with their verdicts. */
function deploymentTiles(d: DeploymentComparison) {
  return [
    {
      label: 'Change failure rate',
      testId: 'tile-cfr',
      value: pct(d.current.changeFailureRate),
      previous: pct(d.previous.changeFailureRate),
      n: d.current.deployments,
      change: describe(d.changes.changeFailureRate),
    },
    {
      label: 'Failed deployment recovery (median / p90)',
      testId: 'tile-recovery',
      value: `${hours(d.current.recoveryMinutes.median)} / ${hours(
        d.current.recoveryMinutes.p90,
      )}`,
      previous: `${hours(d.previous.recoveryMinutes.median)} / ${hours(
        d.previous.recoveryMinutes.p90,
      )}`,
      n: d.current.recoveryMinutes.n,
      change: describe(d.changes.recoveryMinutes),
    },
  ];
}

/** The headline tiles: each figure of the period with the previous period's, the change and the sample size. */
export function HeadlineTiles(props: {
  now: Headline;
  before: Headline;
  changes: HeadlineChanges;
  /** Change failure rate and recovery time (absent from an older backend). */
  deployments?: DeploymentComparison;
  /** When the records begin: a period before it shows "no data". */
  dataSince?: string;
}) {
  const { now, before, changes } = props;
  const hasNow = periodHasData(now, props.dataSince);
  const hasBefore = periodHasData(before, props.dataSince);
  return (
    <Grid container spacing={2}>
      {[
        {
          label: 'Incidents',
          testId: 'tile-incidents',
          value: String(now.incidents.n),
          previous: String(before.incidents.n),
          n: now.incidents.n,
          change: describe(changes.incidents),
        },
        {
          label: 'SEV1 / SEV2 / SEV3 / SEV4',
          testId: 'tile-severity',
          value: severities.map(s => now.incidents.bySeverity[s]).join(' / '),
          previous: severities
            .map(s => before.incidents.bySeverity[s])
            .join(' / '),
          n: now.incidents.n,
        },
        {
          label: 'Repeat-incident rate',
          testId: 'tile-repeat',
          value: pct(now.repeatRate),
          previous: pct(before.repeatRate),
          n: now.repeatRate.denominator,
          change: describe(changes.repeatRate),
        },
        {
          label: 'Time to resolve (median / p90)',
          testId: 'tile-ttr',
          value: `${hours(now.ttr.median)} / ${hours(now.ttr.p90)}`,
          previous: `${hours(before.ttr.median)} / ${hours(before.ttr.p90)}`,
          n: now.ttr.n,
          change: describe(changes.ttr),
        },
        {
          label: 'Postmortem coverage',
          testId: 'tile-coverage',
          value: pct(now.postmortemCoverage),
          previous: pct(before.postmortemCoverage),
          n: now.postmortemCoverage.denominator,
          change: describe(changes.postmortemCoverage),
        },
        {
          label: 'Postmortem lead time SEV1 / SEV2 (median)',
          testId: 'tile-lead',
          value: `${now.postmortemLeadTimeDays.SEV1.median ?? '—'} / ${
            now.postmortemLeadTimeDays.SEV2.median ?? '—'
          } d`,
          previous: `${before.postmortemLeadTimeDays.SEV1.median ?? '—'} / ${
            before.postmortemLeadTimeDays.SEV2.median ?? '—'
          } d`,
          n:
            now.postmortemLeadTimeDays.SEV1.n +
            now.postmortemLeadTimeDays.SEV2.n,
        },
        {
          label: 'Postmortems overdue now',
          previousLabel: 'at the end of the previous period',
          testId: 'tile-pm-overdue',
          value: String(now.postmortemsOverdue),
          previous: String(before.postmortemsOverdue),
          n: now.postmortemsOverdue,
          change: describe(changes.postmortemsOverdue),
        },
        {
          label: 'Action completion',
          testId: 'tile-completion',
          value: pct(now.actionCompletion),
          previous: pct(before.actionCompletion),
          n: now.actionCompletion.denominator,
          change: describe(changes.actionCompletion),
        },
        {
          label: 'Actions done on time',
          testId: 'tile-ontime',
          value: pct(now.actionOnTime),
          previous: pct(before.actionOnTime),
          n: now.actionOnTime.denominator,
          change: describe(changes.actionOnTime),
        },
        {
          label: 'Actions overdue now',
          previousLabel: 'at the end of the previous period',
          testId: 'tile-overdue',
          value: String(now.actionsOverdue),
          previous: String(before.actionsOverdue),
          n: now.actionsOverdue,
          change: describe(changes.actionsOverdue),
        },
        {
          label: 'Ineffective preventive actions',
          testId: 'tile-ineffective',
          value: String(now.actionsIneffective),
          previous: String(before.actionsIneffective),
          n: now.effectiveness.denominator,
          // judged on the share of preventive actions that held, not on the bare count
          previousLabel: 'previous period',
          change: describe(changes.effectiveness),
        },
        ...(props.deployments ? deploymentTiles(props.deployments) : []),
      ].map(tile => (
        <Grid item xs={12} sm={6} md={3} key={tile.label}>
          <Tile {...tile} hasNow={hasNow} hasBefore={hasBefore} />
        </Grid>
      ))}
    </Grid>
  );
}
