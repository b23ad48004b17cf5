import { useCallback, useState } from 'react';
import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import EditIcon from '@material-ui/icons/Edit';
import HistoryIcon from '@material-ui/icons/History';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { formatDate, humanize } from '../shared/format';
import { ActionDialog } from './ActionDialog';
import { BulkBar } from './BulkBar';
import {
  DueDateCell,
  Guarded,
  OwnerCell,
  PriorityCell,
  StatusCell,
  TrackerCell,
  type CellProps,
} from './ActionCells';
import { ConflictDialog } from './ConflictDialog';
import { HistoryDialog } from './HistoryDialog';
import { useActionEditing } from './useActionEditing';

/** Server-side paging of the table, when the list is longer than one page. */
export interface ActionsPaging {
  page: number;
  pageSize: number;
  totalCount: number;
  onPageChange: (page: number) => void;
  onPageSizeChange: (size: number) => void;
}

/**
 * Action items with inline editing of status, owner, priority, due date and tracker link, a dialog for the full
 * record, the history of each item and bulk changes. Controls the user may not use are disabled with a reason.
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
  const cell = (a: ActionItem): CellProps => ({
    action: a,
    onSave: save,
    deniedReason: props.deniedReason(a),
  });

  const columns: TableColumn<ActionItem>[] = [
    {
      title: 'Action',
      field: 'title',
      cellStyle: { minWidth: 260 },
      render: a => (
        <>
          <div>{a.title}</div>
          <Box mt={0.5} color="text.secondary" fontSize="0.8em">
            {humanize(a.type)} · {humanize(a.category)}
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
            render: (a: ActionItem) => (
              <EntityRefLink entityRef={a.entityRef} />
            ),
          } as TableColumn<ActionItem>,
        ]
      : []),
    {
      title: 'Priority',
      field: 'priority',
      render: a => <PriorityCell {...cell(a)} />,
    },
    {
      title: 'Status',
      field: 'status',
      render: a => <StatusCell {...cell(a)} />,
    },
    {
      title: 'Owner',
      field: 'owner',
      render: a => <OwnerCell {...cell(a)} />,
    },
    {
      title: 'Due',
      field: 'dueDate',
      render: a => (
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
      ),
    },
    {
      title: 'Tracker',
      field: 'trackerUrl',
      render: a => <TrackerCell {...cell(a)} />,
    },
    {
      title: '',
      render: a => (
        <Box display="flex">
          <Guarded {...cell(a)}>
            {disabled =>
              disabled ? (
                <IconButton
                  size="small"
                  aria-label={`Edit ${a.title}`}
                  disabled
                >
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
      ),
    },
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
      <Table<ActionItem>
        title={props.title}
        isLoading={props.loading}
        columns={columns}
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
      <ConflictDialog
        conflict={conflict}
        onReapply={reapply}
        onKeepTheirs={keepTheirs}
      />
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
