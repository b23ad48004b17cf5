import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Link,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import TablePagination from '@material-ui/core/TablePagination';
import Typography from '@material-ui/core/Typography';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import {
  learningIncidentCreatePermission,
  incidentKinds,
  incidentStatuses,
  severities,
  type Incident,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import {
  formatDate,
  formatDuration,
  humanize,
  sourceName,
  ordinal,
} from '../shared/format';
import { useNarrow } from '../shared/useNarrow';
import { When } from '../shared/When';
import { RecordLink } from '../shared/RecordLink';
import { SeverityChip } from './SeverityChip';
import { NoveltyChip } from './SeenBeforeCard';
import { IncidentDialog } from './IncidentDialog';
import { StartPostmortemButton } from '../postmortem/StartPostmortemButton';
import { wholeWords } from '../shared/wholeWords';

type Filters = { severity: string[]; status: string[]; kind: string[] };

function FilterSelect(props: {
  label: string;
  values: readonly string[];
  selected: string[];
  onChange: (v: string[]) => void;
}) {
  const id = `incident-filter-${props.label.toLowerCase()}`;
  return (
    <FormControl
      variant="outlined"
      size="small"
      style={{ minWidth: 160, marginRight: 16 }}
    >
      <InputLabel id={id}>{props.label}</InputLabel>
      <Select
        labelId={id}
        label={props.label}
        multiple
        value={props.selected}
        onChange={e => props.onChange(e.target.value as string[])}
        renderValue={v => (v as string[]).map(humanize).join(', ')}
        inputProps={{ 'aria-label': `Filter by ${props.label.toLowerCase()}` }}
      >
        {props.values.map(v => (
          <MenuItem key={v} value={v}>
            {humanize(v)}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** An entity's incident history, paged, filtered and sorted on the server. */
export function IncidentsTable(props: { entityRef: string }) {
  const api = useApi(learningApiRef);
  const narrow = useNarrow();
  const [page, setPage] = useState(0);
  const [recording, setRecording] = useState(false);
  const [recorded, setRecorded] = useState(0);
  const canRecord = usePermission({
    permission: learningIncidentCreatePermission,
    resourceRef: props.entityRef,
  });
  const [pageSize, setPageSize] = useState(10);
  const [filters, setFilters] = useState<Filters>({
    severity: [],
    status: [],
    kind: [],
  });
  const { value, loading, error } = useAsync(
    () =>
      api.listIncidents({
        entityRef: props.entityRef,
        page: page + 1,
        limit: pageSize,
        orderBy: 'startedAt',
        order: 'desc',
        ...filters,
      }),
    [api, props.entityRef, page, pageSize, filters, recorded],
  );
  const setFilter = (key: keyof Filters) => (selected: string[]) => {
    setFilters(f => ({ ...f, [key]: selected }));
    setPage(0);
  };

  function postmortemOf(i: Incident) {
    if (i.postmortemId) {
      return (
        <RecordLink kind="postmortem" id={i.postmortemId}>
          {humanize(i.postmortemStatus ?? 'draft')}
        </RecordLink>
      );
    }
    return (
      <>
        {i.postmortemOverdue && (
          <Chip label="Postmortem overdue" size="small" color="secondary" />
        )}
        {!i.postmortemOverdue && i.postmortemDueDate && (
          <div>Due {formatDate(i.postmortemDueDate)}</div>
        )}
        <StartPostmortemButton incident={i} />
      </>
    );
  }

  const columns: TableColumn<Incident>[] = [
    {
      title: 'Severity',
      field: 'severity',
      width: '90px',
      render: i => <SeverityChip severity={i.severity} />,
    },
    {
      title: 'Incident',
      field: 'title',
      cellStyle: { minWidth: 180 },
      render: i => (
        <>
          <div>
            <RecordLink kind="incident" id={i.id}>
              {i.title}
            </RecordLink>
            {i.externalUrl && (
              <>
                {' '}
                <Link
                  to={i.externalUrl}
                  aria-label={`${i.title} in ${sourceName(i.source)}`}
                  style={{ fontSize: '0.85em', whiteSpace: 'nowrap' }}
                >
                  ({sourceName(i.source)})
                </Link>
              </>
            )}
          </div>
          <Box mt={0.5}>
            {i.novelty && (
              <span style={{ marginRight: 4 }}>
                <NoveltyChip novelty={i.novelty} long />
              </span>
            )}
            {i.failureModes.map(m => (
              <Chip
                key={m}
                label={m}
                size="small"
                variant="outlined"
                style={{ marginRight: 4 }}
              />
            ))}
            {i.duplicateOfId && <Chip label="duplicate" size="small" />}
            {i.occurrences
              .filter(o => o.entityRef === props.entityRef && o.occurrence > 1)
              .map(o => (
                <Chip
                  key={o.failureMode}
                  size="small"
                  color="secondary"
                  label={`${ordinal(o.occurrence)} occurrence of ${
                    o.failureMode
                  }${o.manual ? ' (linked)' : ''}`}
                  style={{ marginRight: 4 }}
                />
              ))}
          </Box>
        </>
      ),
    },
    {
      title: 'Kind',
      field: 'kind',
      render: i => humanize(i.kind),
    },
    {
      title: 'Started',
      field: 'startedAt',
      render: i => <When value={i.startedAt} />,
    },
    {
      title: 'Status',
      field: 'status',
      cellStyle: { whiteSpace: 'nowrap' },
      render: i => humanize(i.status),
    },
    {
      title: 'Time to resolve',
      render: i => formatDuration(i.startedAt, i.resolvedAt),
    },
    {
      title: 'Postmortem',
      render: i => postmortemOf(i),
    },
  ];

  if (error) {
    return <ResponseErrorPanel error={error} />;
  }
  return (
    <>
      <Box
        display="flex"
        mb={1}
        flexWrap="wrap"
        role="group"
        aria-label="Incident filters"
      >
        <FilterSelect
          label="Severity"
          values={severities}
          selected={filters.severity}
          onChange={setFilter('severity')}
        />
        <FilterSelect
          label="Status"
          values={incidentStatuses}
          selected={filters.status}
          onChange={setFilter('status')}
        />
        <FilterSelect
          label="Kind"
          values={incidentKinds}
          selected={filters.kind}
          onChange={setFilter('kind')}
        />
        <Box flexGrow={1} />
        <Tooltip
          title={
            canRecord.allowed || canRecord.loading
              ? ''
              : 'Only the owners of this entity record its incidents'
          }
        >
          <span>
            <Button
              variant="outlined"
              color="primary"
              disabled={!canRecord.allowed}
              onClick={() => setRecording(true)}
            >
              Record incident
            </Button>
          </span>
        </Tooltip>
      </Box>
      {recording && (
        <IncidentDialog
          open
          entityRef={props.entityRef}
          onClose={() => setRecording(false)}
          onSaved={() => setRecorded(n => n + 1)}
        />
      )}
      {narrow ? (
        <Box data-testid="incident-cards">
          <Typography variant="h6" component="h2" gutterBottom>
            Incident history
          </Typography>
          {!loading && !value?.items.length && (
            <Typography variant="body2">
              No incidents match these filters.
            </Typography>
          )}
          {(value?.items ?? []).map(i => (
            <Paper
              key={i.id}
              variant="outlined"
              style={{ padding: 12, marginBottom: 8 }}
              data-testid="incident-card"
            >
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <SeverityChip severity={i.severity} />
                {i.novelty && <NoveltyChip novelty={i.novelty} long />}
                <Typography variant="subtitle1" component="h3">
                  <RecordLink kind="incident" id={i.id}>
                    {i.title}
                  </RecordLink>
                </Typography>
              </Box>
              <Typography variant="body2" color="textSecondary">
                {humanize(i.kind)} · {humanize(i.status)} · started{' '}
                <When value={i.startedAt} /> · resolved in{' '}
                {formatDuration(i.startedAt, i.resolvedAt)}
              </Typography>
              <Box mt={1}>
                {i.postmortemId && 'Postmortem: '}
                {postmortemOf(i)}
              </Box>
            </Paper>
          ))}
          <TablePagination
            component="div"
            count={value?.totalCount ?? 0}
            page={page}
            rowsPerPage={pageSize}
            rowsPerPageOptions={[]}
            onPageChange={(_, p) => setPage(p)}
          />
        </Box>
      ) : (
        <Table<Incident>
          title="Incident history"
          isLoading={loading}
          columns={wholeWords(columns)}
          data={value?.items ?? []}
          page={page}
          totalCount={value?.totalCount ?? 0}
          onPageChange={setPage}
          onRowsPerPageChange={size => {
            setPageSize(size);
            setPage(0);
          }}
          options={{
            paging: true,
            pageSize,
            emptyRowsWhenPaging: false,
            pageSizeOptions: [10, 20, 50],
            search: false,
            sorting: false,
            padding: 'dense',
          }}
          emptyContent={<Box p={2}>No incidents match these filters.</Box>}
        />
      )}
    </>
  );
}
