import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  incidentKinds,
  severities,
  type Rate,
  normalizeEntityRef,
  STALE_DRAFT_DAYS,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate, humanize } from '../format';
import { metricPeriods } from '../MetricsCard';
import {
  AgingChart,
  BurnUpChart,
  IncidentsBySeverityChart,
  RecoveryChart,
} from './Charts';
import { download, toCsv } from './csv';
import { useOverviewFilters } from './useOverviewFilters';

const pct = (r?: Rate) =>
  r?.value === undefined ? '—' : `${Math.round(r.value * 100)}%`;
const hours = (m?: number) =>
  m === undefined ? '—' : `${Math.round((m / 60) * 10) / 10} h`;

function Tile(props: {
  label: string;
  value: string;
  previous: string;
  n: number;
  change?: string;
  testId: string;
}) {
  return (
    <InfoCard>
      <Typography variant="overline">{props.label}</Typography>
      <Typography variant="h4" component="p" data-testid={props.testId}>
        {props.value}
      </Typography>
      <Typography variant="caption" component="p">
        previous period {props.previous}
        {props.change ? ` · ${props.change}` : ''} · n={props.n}
      </Typography>
    </InfoCard>
  );
}

function change(
  now?: number,
  before?: number,
  higherIsBetter = false,
): string | undefined {
  if (now === undefined || before === undefined || now === before)
    return undefined;
  return `${now > before ? '▲' : '▼'} ${
    now > before === higherIsBetter ? 'better' : 'worse'
  }`;
}

function SelectFilter(props: {
  label: string;
  value?: string;
  options: Array<{ value: string; label: string }>;
  onChange: (v?: string) => void;
  multiple?: false;
}) {
  return (
    <TextField
      select
      size="small"
      variant="outlined"
      label={props.label}
      value={props.value ?? ''}
      onChange={e => props.onChange(e.target.value || undefined)}
      style={{ minWidth: 170 }}
      inputProps={{ 'aria-label': `Filter by ${props.label.toLowerCase()}` }}
    >
      <MenuItem value="">All</MenuItem>
      {props.options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

function MultiFilter(props: {
  label: string;
  value: string[];
  options: readonly string[];
  onChange: (v: string[]) => void;
}) {
  return (
    <TextField
      select
      size="small"
      variant="outlined"
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value as unknown as string[])}
      SelectProps={{
        multiple: true,
        renderValue: v => (v as string[]).map(humanize).join(', '),
      }}
      style={{ minWidth: 150 }}
      inputProps={{ 'aria-label': `Filter by ${props.label.toLowerCase()}` }}
    >
      {props.options.map(o => (
        <MenuItem key={o} value={o}>
          {humanize(o)}
        </MenuItem>
      ))}
    </TextField>
  );
}

type Row = Record<string, any>;

const rateFields = ['repeatRate', 'postmortemCoverage', 'actionCompletion'];

/** Rates as percentages, counts as they are. */
function showCell(field: string, value: number | undefined) {
  if (!rateFields.includes(field)) return value;
  return value === undefined ? '—' : `${Math.round(value * 100)}%`;
}
const breakdownColumns: Array<{
  title: string;
  field: string;
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
];

function CsvButton(props: { name: string; csv: () => string }) {
  return (
    <Button
      size="small"
      onClick={() => download(`${props.name}.csv`, props.csv(), 'text/csv')}
    >
      Export CSV
    </Button>
  );
}

function Breakdown(props: { title: string; rows: Row[]; name: string }) {
  const columns: TableColumn<Row>[] = [
    {
      title: props.title,
      field: 'title',
      render: r => <EntityRefLink entityRef={r.ref} title={r.title} />,
    },
    ...breakdownColumns.map(c => ({
      title: c.title,
      field: c.field,
      type: 'numeric' as const,
      render: (r: Row) => showCell(c.field, r[c.field]),
    })),
  ];
  const csv = () =>
    toCsv(props.rows, [
      { title: props.title, value: r => r.ref },
      ...breakdownColumns,
    ]);
  return (
    <Table<Row>
      title={`By ${props.title.toLowerCase()}`}
      columns={columns}
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

function AttentionList(props: {
  title: string;
  items: Row[];
  render: (r: Row) => JSX.Element;
  name: string;
  csv: Array<{ title: string; value: (r: Row) => unknown }>;
}) {
  return (
    <InfoCard
      title={`${props.title} (${props.items.length})`}
      action={
        <CsvButton
          name={props.name}
          csv={() => toCsv(props.items, props.csv)}
        />
      }
    >
      {props.items.length === 0 && (
        <Typography variant="body2">Nothing here.</Typography>
      )}
      {props.items.slice(0, 10).map((item, n) => (
        <Box key={n} mb={0.5}>
          {props.render(item)}
        </Box>
      ))}
    </InfoCard>
  );
}

/** The org-wide improvement overview: are we learning? */
export function OverviewPage() {
  const api = useApi(learningApiRef);
  const catalogApi = useApi(catalogApiRef);
  const [filters, setFilters] = useOverviewFilters();
  const options = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: ['Group', 'System', 'Domain'] },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'spec.profile.displayName',
      ],
    });
    const of = (kind: string) =>
      items
        .filter(e => e.kind === kind)
        .map(e => ({
          value: normalizeEntityRef(e),
          label:
            (e.spec as any)?.profile?.displayName ??
            e.metadata.title ??
            e.metadata.name,
        }))
        .sort((a, b) => a.label.localeCompare(b.label));
    return { teams: of('Group'), systems: of('System'), domains: of('Domain') };
  }, [catalogApi]);
  const { value, loading, error } = useAsync(
    () =>
      api.getOverview({
        days: filters.days,
        team: filters.team,
        system: filters.system,
        domain: filters.domain,
        severity: filters.severity,
        kind: filters.kind,
      }),
    [api, JSON.stringify(filters)],
  );
  const now = value?.headline.current;
  const before = value?.headline.previous;
  return (
    <Content>
      <Box
        display="flex"
        flexWrap="wrap"
        style={{ gap: 12 }}
        mb={3}
        role="group"
        aria-label="Overview filters"
      >
        <TextField
          select
          size="small"
          variant="outlined"
          label="Period"
          value={filters.days}
          onChange={e => setFilters({ days: Number(e.target.value) })}
          inputProps={{ 'aria-label': 'Filter by period' }}
        >
          {metricPeriods.map(d => (
            <MenuItem key={d} value={d}>
              Last {d} days
            </MenuItem>
          ))}
        </TextField>
        <SelectFilter
          label="Team"
          value={filters.team}
          options={options.value?.teams ?? []}
          onChange={team => setFilters({ team })}
        />
        <SelectFilter
          label="System"
          value={filters.system}
          options={options.value?.systems ?? []}
          onChange={system => setFilters({ system })}
        />
        <SelectFilter
          label="Domain"
          value={filters.domain}
          options={options.value?.domains ?? []}
          onChange={domain => setFilters({ domain })}
        />
        <MultiFilter
          label="Severity"
          value={filters.severity}
          options={severities}
          onChange={severity => setFilters({ severity })}
        />
        <MultiFilter
          label="Kind"
          value={filters.kind}
          options={incidentKinds}
          onChange={kind => setFilters({ kind })}
        />
      </Box>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && now && before && (
        <>
          <Typography variant="body2" paragraph>
            {formatDate(value.period.from)} to {formatDate(value.period.to)},
            compared with {formatDate(value.previousPeriod.from)} to{' '}
            {formatDate(value.previousPeriod.to)} · {value.entities} entities ·
            game days and duplicates left out
          </Typography>
          <Grid container spacing={2}>
            {[
              {
                label: 'Incidents',
                testId: 'tile-incidents',
                value: String(now.incidents.n),
                previous: String(before.incidents.n),
                n: now.incidents.n,
                change: change(now.incidents.n, before.incidents.n),
              },
              {
                label: 'SEV1 / SEV2 / SEV3 / SEV4',
                testId: 'tile-severity',
                value: severities
                  .map(s => now.incidents.bySeverity[s])
                  .join(' / '),
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
                change: change(now.repeatRate.value, before.repeatRate.value),
              },
              {
                label: 'Time to resolve (median / p90)',
                testId: 'tile-ttr',
                value: `${hours(now.ttr.median)} / ${hours(now.ttr.p90)}`,
                previous: `${hours(before.ttr.median)} / ${hours(
                  before.ttr.p90,
                )}`,
                n: now.ttr.n,
                change: change(now.ttr.median, before.ttr.median),
              },
              {
                label: 'Postmortem coverage',
                testId: 'tile-coverage',
                value: pct(now.postmortemCoverage),
                previous: pct(before.postmortemCoverage),
                n: now.postmortemCoverage.denominator,
                change: change(
                  now.postmortemCoverage.value,
                  before.postmortemCoverage.value,
                  true,
                ),
              },
              {
                label: 'Postmortem lead time SEV1 / SEV2 (median)',
                testId: 'tile-lead',
                value: `${now.postmortemLeadTimeDays.SEV1.median ?? '—'} / ${
                  now.postmortemLeadTimeDays.SEV2.median ?? '—'
                } d`,
                previous: `${
                  before.postmortemLeadTimeDays.SEV1.median ?? '—'
                } / ${before.postmortemLeadTimeDays.SEV2.median ?? '—'} d`,
                n:
                  now.postmortemLeadTimeDays.SEV1.n +
                  now.postmortemLeadTimeDays.SEV2.n,
              },
              {
                label: 'Postmortems overdue',
                testId: 'tile-pm-overdue',
                value: String(now.postmortemsOverdue),
                previous: String(before.postmortemsOverdue),
                n: now.postmortemsOverdue,
                change: change(
                  now.postmortemsOverdue,
                  before.postmortemsOverdue,
                ),
              },
              {
                label: 'Action completion',
                testId: 'tile-completion',
                value: pct(now.actionCompletion),
                previous: pct(before.actionCompletion),
                n: now.actionCompletion.denominator,
                change: change(
                  now.actionCompletion.value,
                  before.actionCompletion.value,
                  true,
                ),
              },
              {
                label: 'Actions done on time',
                testId: 'tile-ontime',
                value: pct(now.actionOnTime),
                previous: pct(before.actionOnTime),
                n: now.actionOnTime.denominator,
                change: change(
                  now.actionOnTime.value,
                  before.actionOnTime.value,
                  true,
                ),
              },
              {
                label: 'Actions overdue',
                testId: 'tile-overdue',
                value: String(now.actionsOverdue),
                previous: String(before.actionsOverdue),
                n: now.actionsOverdue,
                change: change(now.actionsOverdue, before.actionsOverdue),
              },
              {
                label: 'Ineffective preventive actions',
                testId: 'tile-ineffective',
                value: String(now.actionsIneffective),
                previous: String(before.actionsIneffective),
                n: now.effectiveness.denominator,
                change: change(
                  now.actionsIneffective,
                  before.actionsIneffective,
                ),
              },
            ].map(tile => (
              <Grid item xs={12} sm={6} md={3} key={tile.label}>
                <Tile {...tile} />
              </Grid>
            ))}
          </Grid>
          <Box mt={3}>
            <Grid container spacing={3}>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <IncidentsBySeverityChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <RecoveryChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <BurnUpChart trends={value.trends} />
                </InfoCard>
              </Grid>
              <Grid item xs={12} md={6}>
                <InfoCard>
                  <AgingChart aging={value.aging} />
                </InfoCard>
              </Grid>
            </Grid>
          </Box>
          <Box mt={3}>
            <Breakdown
              title="Team"
              rows={value.breakdowns.teams}
              name="learning-by-team"
            />
          </Box>
          <Box mt={3}>
            <Breakdown
              title="System"
              rows={value.breakdowns.systems}
              name="learning-by-system"
            />
          </Box>
          <Box mt={3}>
            <Breakdown
              title="Domain"
              rows={value.breakdowns.domains}
              name="learning-by-domain"
            />
          </Box>
          <Typography
            variant="h5"
            component="h2"
            style={{ marginTop: 32, marginBottom: 16 }}
          >
            Needs attention now
          </Typography>
          <Grid container spacing={3}>
            <Grid item xs={12} md={6}>
              <AttentionList
                title="Postmortems past their due date"
                name="overdue-postmortems"
                items={value.antiPatterns.overduePostmortems}
                render={r => (
                  <span>
                    {r.severity} · {r.title} · due {r.dueDate}
                  </span>
                )}
                csv={[
                  { title: 'Incident', value: r => r.title },
                  { title: 'Severity', value: r => r.severity },
                  { title: 'Due', value: r => r.dueDate },
                ]}
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <AttentionList
                title="Recurrences with no action"
                name="recurrences-without-action"
                items={value.antiPatterns.recurrencesWithoutAction}
                render={r => (
                  <span>
                    {r.severity} · {r.title} · {formatDate(r.startedAt)}
                  </span>
                )}
                csv={[
                  { title: 'Incident', value: r => r.title },
                  { title: 'Severity', value: r => r.severity },
                  { title: 'Started', value: r => r.startedAt },
                ]}
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <AttentionList
                title="Actions past their SLO"
                name="overdue-actions"
                items={value.antiPatterns.overdueActions}
                render={r => (
                  <span>
                    {r.priority} · {r.title} · due {r.dueDate} ·{' '}
                    <EntityRefLink entityRef={r.entityRef} />
                  </span>
                )}
                csv={[
                  { title: 'Action', value: r => r.title },
                  { title: 'Priority', value: r => r.priority },
                  { title: 'Due', value: r => r.dueDate },
                  { title: 'Entity', value: r => r.entityRef },
                  { title: 'Owner', value: r => r.owner },
                ]}
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <AttentionList
                title={`Drafts untouched for ${STALE_DRAFT_DAYS} days`}
                name="stale-drafts"
                items={value.antiPatterns.staleDrafts}
                render={r => (
                  <Link to={`postmortems/${r.postmortemId}`}>{r.title}</Link>
                )}
                csv={[
                  { title: 'Postmortem', value: r => r.title },
                  { title: 'Last change', value: r => r.updatedAt },
                ]}
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <AttentionList
                title="Runbooks past their review date"
                name="runbooks-past-review"
                items={value.antiPatterns.runbooksPastReview}
                render={r => (
                  <span>
                    {r.title} · review due {r.reviewDue} ·{' '}
                    <EntityRefLink entityRef={r.entityRef} />
                  </span>
                )}
                csv={[
                  { title: 'Runbook', value: r => r.title },
                  { title: 'Review due', value: r => r.reviewDue },
                  { title: 'Entity', value: r => r.entityRef },
                ]}
              />
            </Grid>
          </Grid>
        </>
      )}
    </Content>
  );
}
