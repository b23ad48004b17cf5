import { useCallback, useState } from 'react';
import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import TablePagination from '@material-ui/core/TablePagination';
import Typography from '@material-ui/core/Typography';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import EditIcon from '@material-ui/icons/Edit';
import IssueIcon from '@material-ui/icons/Link';
import HistoryIcon from '@material-ui/icons/History';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { RecordLink } from '../shared/RecordLink';
import { formatDate, humanize } from '../shared/format';
import { useNarrow } from '../shared/useNarrow';
import { ActionDialog } from './ActionDialog';
import { BulkBar } from './BulkBar';
import {
  DueDateCell,
  Guarded,
  OwnerCell,
  PriorityCell,
  StatusCell,
  TrackerLink,
  type CellProps,
} from './ActionCells';
import { ConflictDialog } from './ConflictDialog';
import { HistoryDialog } from './HistoryDialog';
import { TrackerIssueDialog } from './TrackerIssueDialog';
import { useActionEditing } from './useActionEditing';
import { wholeWords } from '../shared/wholeWords';

/** Server-side paging of the table, when the list is longer than one page. */
export interface ActionsPaging {
  page: number;
  pageSize: number;
  totalCount: number;
  onPageChange: (page: number) => void;
  onPageSizeChange: (size: number) => void;
}

/** At phone width: one card per action, with the same controls as a row, and the same paging. */
function ActionCards(props: {
  title: string;
  actions: ActionItem[];
  loading?: boolean;
  emptyText: string;
  paging?: ActionsPaging;
  render: (a: ActionItem) => JSX.Element;
}) {
  return (
    <Box data-testid="action-cards">
      <Typography variant="h6" component="h2" gutterBottom>
        {props.title}
      </Typography>
      {!props.loading && props.actions.length === 0 && (
        <Typography variant="body2">{props.emptyText}</Typography>
      )}
      {props.actions.map(a => (
        <Paper
          key={a.id}
          variant="outlined"
          style={{ padding: 12, marginBottom: 8 }}
          data-testid="action-card"
        >
          {props.render(a)}
        </Paper>
      ))}
      {props.paging && (
        <TablePagination
          component="div"
          count={props.paging.totalCount}
          page={props.paging.page}
          rowsPerPage={props.paging.pageSize}
          rowsPerPageOptions={[]}
          onPageChange={(_, page) => props.paging!.onPageChange(page)}
        />
      )}
    </Box>
  );
}

/**
 * Action items with inline editing of status, owner, priority and due date, a dialog for the full record (with
 * the tracker link, shown as a short link under the title), the history of each item and bulk changes. Controls the user may not use are disabled with a reason.
 */
export function ActionsTable(props: {
  title: string;
  actions: ActionItem[];
  loading?: boolean;
  showEntity?: boolean;
  paging?: ActionsPaging;
  deniedReason: (action: ActionItem) => string;
  onChanged: (actions: ActionItem[]) => void;
  emptyText: string;
}) {
  const { onChanged } = props;
  const onSaved = useCallback(
    (action: ActionItem) => onChanged([action]),
    [onChanged],
  );
  const { save, conflict, reapply, keepTheirs } = useActionEditing(onSaved);
  const [selected, setSelected] = useState<ActionItem[]>([]);
  const [historyOf, setHistoryOf] = useState<ActionItem | undefined>();
  const [editing, setEditing] = useState<ActionItem | undefined>();
  const [issueOf, setIssueOf] = useState<ActionItem | undefined>();
  const narrow = useNarrow();
  const cell = (a: ActionItem): CellProps => ({
    action: a,
    onSave: save,
    deniedReason: props.deniedReason(a),
  });
  const titleOf = (a: ActionItem) => (
    <RecordLink kind="action" id={a.id}>
      {a.title}
    </RecordLink>
  );
  /** The tracker issue's dialog, from the line under the title (the row's buttons keep their width). */
  const issueButton = (a: ActionItem) => (
    <Tooltip
      title={
        a.issue
          ? `Issue ${a.issue.key}: sync state`
          : 'Create or link a tracker issue'
      }
    >
      <IconButton
        size="small"
        style={{ padding: 2, fontSize: 'inherit' }}
        aria-label={`Issue of ${a.title}`}
        onClick={() => setIssueOf(a)}
      >
        <IssueIcon style={{ fontSize: '1.2em' }} />
      </IconButton>
    </Tooltip>
  );
  const due = (a: ActionItem) => (
    <>
      <DueDateCell {...cell(a)} />
      {a.overdue && (
        <Box mt={0.5}>
          <Chip
            size="small"
            color="secondary"
            label={`Overdue ${a.daysPastDue} d`}
            aria-label={`Overdue by ${a.daysPastDue} days`}
          />
        </Box>
      )}
    </>
  );
  const buttons = (a: ActionItem) => (
    <Box display="flex">
      <Guarded {...cell(a)}>
        {disabled =>
          disabled ? (
            <IconButton size="small" aria-label={`Edit ${a.title}`} disabled>
              <EditIcon fontSize="small" />
            </IconButton>
          ) : (
            <Tooltip title="Edit the whole action">
              <IconButton
                size="small"
                aria-label={`Edit ${a.title}`}
                onClick={() => setEditing(a)}
              >
                <EditIcon fontSize="small" />
              </IconButton>
            </Tooltip>
          )
        }
      </Guarded>
      <Tooltip title="History">
        <IconButton
          size="small"
          aria-label={`History of ${a.title}`}
          onClick={() => setHistoryOf(a)}
        >
          <HistoryIcon fontSize="small" />
        </IconButton>
      </Tooltip>
    </Box>
  );

  const columns: TableColumn<ActionItem>[] = [
    {
      title: 'Action',
      field: 'title',
      cellStyle: { minWidth: 180 },
      render: a => (
        <>
          <div>{titleOf(a)}</div>
          <Box mt={0.5} color="text.secondary" fontSize="0.8em">
            {humanize(a.type)} · {humanize(a.category)}
            {(a.trackerUrl || a.issue) && (
              <>
                {' '}
                · <TrackerLink action={a} />
              </>
            )}{' '}
            {issueButton(a)}
            {a.statusReason && ` · ${a.statusReason}`}
            {a.completedAt && ` · done ${formatDate(a.completedAt)}`}
            {a.effectiveness &&
              ` · ${
                a.effectiveness === 'pending'
                  ? `watching until ${a.watchUntil}`
                  : humanize(a.effectiveness)
              }`}
          </Box>
          {a.ownerChanged && (
            <Chip
              size="small"
              label="Owner changed"
              style={{ marginTop: 4 }}
              title="The owner no longer owns this entity or belongs to its team"
            />
          )}
        </>
      ),
    },
    ...(props.showEntity
      ? [
          {
            title: 'Entity',
            field: 'entityRef',
            cellStyle: { minWidth: 130 },
            render: (a: ActionItem) => (
              <EntityRefLink entityRef={a.entityRef} />
            ),
          } as TableColumn<ActionItem>,
        ]
      : []),
    {
      title: 'Priority · status',
      field: 'status',
      render: a => (
        <Box display="flex" flexDirection="column" alignItems="flex-start">
          <PriorityCell {...cell(a)} />
          <StatusCell {...cell(a)} />
        </Box>
      ),
    },
    {
      title: 'Owner',
      field: 'owner',
      render: a => <OwnerCell {...cell(a)} />,
    },
    {
      title: 'Due',
      field: 'dueDate',
      render: due,
    },
    { title: '', cellStyle: { width: 64, padding: 4 }, render: buttons },
  ];

  return (
    <>
      <BulkBar
        selected={selected}
        onDone={updated => {
          onChanged(updated);
          setSelected([]);
        }}
      />
      {narrow ? (
        <ActionCards
          title={props.title}
          actions={props.actions}
          loading={props.loading}
          emptyText={props.emptyText}
          paging={props.paging}
          render={a => (
            <>
              <Typography variant="subtitle1" component="h3">
                {titleOf(a)}
              </Typography>
              <Typography variant="body2" color="textSecondary">
                {humanize(a.type)} · {humanize(a.category)}
                {(a.trackerUrl || a.issue) && (
                  <>
                    {' '}
                    · <TrackerLink action={a} />
                  </>
                )}{' '}
                {issueButton(a)}
                {props.showEntity && (
                  <>
                    {' '}
                    · <EntityRefLink entityRef={a.entityRef} />
                  </>
                )}
              </Typography>
              <Box
                display="flex"
                flexWrap="wrap"
                alignItems="flex-start"
                mt={1}
                style={{ gap: 12 }}
              >
                <PriorityCell {...cell(a)} />
                <StatusCell {...cell(a)} />
                <OwnerCell {...cell(a)} />
                <div>{due(a)}</div>
                {buttons(a)}
              </Box>
            </>
          )}
        />
      ) : (
        <Table<ActionItem>
          title={props.title}
          isLoading={props.loading}
          columns={wholeWords(columns)}
          data={props.actions.map(a => ({ ...a }))}
          onSelectionChange={rows => setSelected(rows)}
          options={{
            selection: true,
            search: false,
            sorting: false,
            padding: 'dense',
            paging: !!props.paging,
            pageSize: props.paging?.pageSize ?? 50,
            emptyRowsWhenPaging: false,
            pageSizeOptions: [20, 50, 100],
            showTextRowsSelected: false,
          }}
          page={props.paging?.page}
          totalCount={props.paging?.totalCount}
          onPageChange={props.paging?.onPageChange}
          onRowsPerPageChange={props.paging?.onPageSizeChange}
          emptyContent={<Box p={2}>{props.emptyText}</Box>}
        />
      )}
      <ConflictDialog
        conflict={conflict}
        onReapply={reapply}
        onKeepTheirs={keepTheirs}
      />
      {issueOf && (
        <TrackerIssueDialog
          action={issueOf}
          deniedReason={props.deniedReason(issueOf)}
          onClose={() => setIssueOf(undefined)}
          onLinked={linked => onChanged([linked])}
        />
      )}
      <HistoryDialog
        actionId={historyOf?.id}
        title={historyOf?.title}
        onClose={() => setHistoryOf(undefined)}
      />
      {editing && (
        <ActionDialog
          open
          entityRef={editing.entityRef}
          action={editing}
          onClose={() => setEditing(undefined)}
          onCreate={async () => undefined}
          onSave={save}
        />
      )}
    </>
  );
}
