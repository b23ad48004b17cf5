import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  describeComparison,
  verdictWords,
  type BreakdownRow as Row,
  type Comparison,
} from '@learning-loop/plugin-learning-common';
import { download, toCsv } from './csv';
import { wholeWords } from '../shared/wholeWords';

type NumericField = {
  [K in keyof Row]-?: Row[K] extends number | undefined ? K : never;
}[keyof Row];

const rateFields: NumericField[] = [
  'repeatRate',
  'postmortemCoverage',
  'actionCompletion',
  'changeFailureRate',
];

/** Rates as percentages, counts as they are. */
function showCell(field: NumericField, value: number | undefined) {
  if (!rateFields.includes(field)) return value;
  return value === undefined ? '—' : `${Math.round(value * 100)}%`;
}
const breakdownColumns: Array<{
  title: string;
  field: NumericField;
  value: (r: Row) => unknown;
}> = [
  { title: 'Incidents', field: 'incidents', value: r => r.incidents },
  { title: 'SEV1+SEV2', field: 'major', value: r => r.major },
  {
    title: 'Repeat rate',
    field: 'repeatRate',
    value: r => (r.repeatRate === undefined ? '' : r.repeatRate),
  },
  {
    title: 'Postmortem coverage',
    field: 'postmortemCoverage',
    value: r =>
      r.postmortemCoverage === undefined ? '' : r.postmortemCoverage,
  },
  {
    title: 'Postmortems overdue',
    field: 'postmortemsOverdue',
    value: r => r.postmortemsOverdue,
  },
  {
    title: 'Action completion',
    field: 'actionCompletion',
    value: r => (r.actionCompletion === undefined ? '' : r.actionCompletion),
  },
  {
    title: 'Actions overdue',
    field: 'actionsOverdue',
    value: r => r.actionsOverdue,
  },
  {
    title: 'Ineffective actions',
    field: 'actionsIneffective',
    value: r => r.actionsIneffective,
  },
  { title: 'Deployments', field: 'deployments', value: r => r.deployments },
  {
    title: 'Change failure rate',
    field: 'changeFailureRate',
    value: r => (r.changeFailureRate === undefined ? '' : r.changeFailureRate),
  },
];

/** A verdict in a table cell: the words with the sample sizes, the interval on hover. */
function Verdict(props: { change: Comparison }) {
  const { change } = props;
  return (
    <Tooltip title={describeComparison(change)}>
      <span>
        {verdictWords[change.verdict]} ({change.n[0]} vs {change.n[1]})
      </span>
    </Tooltip>
  );
}

const verdictColumns: Array<{
  title: string;
  change: (r: Row) => Comparison;
}> = [
  { title: 'Incidents vs previous', change: r => r.changes.incidents },
  { title: 'Repeat rate vs previous', change: r => r.changes.repeatRate },
  {
    title: 'Change failure rate vs previous',
    change: r => r.changes.changeFailureRate,
  },
];

export function CsvButton(props: { name: string; csv: () => string }) {
  return (
    <Button
      size="small"
      onClick={() => download(`${props.name}.csv`, props.csv(), 'text/csv')}
    >
      Export CSV
    </Button>
  );
}

/** A figure with its comparison beneath it, in one cell. */
function Figure(props: { value: unknown; change?: Comparison }) {
  return (
    <>
      <div>{String(props.value)}</div>
      {props.change && (
        <Typography variant="caption" color="textSecondary" component="div">
          <Verdict change={props.change} />
        </Typography>
      )}
    </>
  );
}

/** Several figures of one subject in one cell: "33% covered", "7 overdue". */
function Lines(props: { lines: string[] }) {
  return (
    <>
      {props.lines.map(line => (
        <div key={line} style={{ whiteSpace: 'nowrap' }}>
          {line}
        </div>
      ))}
    </>
  );
}

const numeric = { type: 'numeric' as const };

/**
 * An organisation's breakdown by team, system or domain. Each figure carries its comparison beneath it, and related
 * figures share a column, so the table fits at 1280 px; the CSV has one column per figure.
 */
export function Breakdown(props: { title: string; rows: Row[]; name: string }) {
  const columns: TableColumn<Row>[] = [
    {
      title: props.title,
      field: 'title',
      cellStyle: { minWidth: 120 },
      render: r => (
        <span style={{ wordBreak: 'normal', overflowWrap: 'normal' }}>
          <EntityRefLink entityRef={r.ref} title={r.title} />
        </span>
      ),
    },
    {
      title: 'Incidents',
      field: 'incidents',
      ...numeric,
      render: r => <Figure value={r.incidents} change={r.changes.incidents} />,
    },
    { title: 'SEV1+SEV2', field: 'major', ...numeric },
    {
      title: 'Repeat rate',
      field: 'repeatRate',
      ...numeric,
      render: r => (
        <Figure
          value={showCell('repeatRate', r.repeatRate)}
          change={r.changes.repeatRate}
        />
      ),
    },
    {
      title: 'Postmortems',
      field: 'postmortemCoverage',
      ...numeric,
      render: r => (
        <Lines
          lines={[
            r.postmortemCoverage === undefined
              ? 'none required'
              : `${showCell(
                  'postmortemCoverage',
                  r.postmortemCoverage,
                )} covered`,
            `${r.postmortemsOverdue} overdue`,
          ]}
        />
      ),
    },
    {
      title: 'Actions',
      field: 'actionCompletion',
      ...numeric,
      render: r => (
        <Lines
          lines={[
            r.actionCompletion === undefined
              ? 'none due'
              : `${showCell('actionCompletion', r.actionCompletion)} done`,
            `${r.actionsOverdue} overdue`,
            `${r.actionsIneffective} ineffective`,
          ]}
        />
      ),
    },
    {
      title: 'Change failure rate',
      field: 'changeFailureRate',
      ...numeric,
      render: r => (
        <Figure
          value={`${showCell('changeFailureRate', r.changeFailureRate)} of ${
            r.deployments
          } deploys`}
          change={r.changes.changeFailureRate}
        />
      ),
    },
  ];
  const csv = () =>
    toCsv(props.rows, [
      { title: props.title, value: r => r.title },
      { title: `${props.title} ref`, value: r => r.ref },
      ...breakdownColumns,
      ...verdictColumns.map(c => ({
        title: c.title,
        value: (r: Row) => describeComparison(c.change(r)),
      })),
    ]);
  return (
    <Table<Row>
      title={`By ${props.title.toLowerCase()}`}
      columns={wholeWords(columns)}
      data={props.rows.map(r => ({ ...r }))}
      options={{
        paging: false,
        search: false,
        sorting: true,
        padding: 'dense',
      }}
      actions={[
        {
          icon: () => <CsvButton name={props.name} csv={csv} />,
          isFreeAction: true,
          onClick: () => undefined,
          tooltip: 'Export CSV',
        },
      ]}
    />
  );
}
