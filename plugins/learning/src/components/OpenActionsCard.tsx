import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { InfoCard, Table, type TableColumn } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Box from '@material-ui/core/Box';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { formatDate, humanize } from './format';

/** Open preventive actions with owner, priority, due date and overdue marking. */
export function OpenActionsCard(props: {
  actions: ActionItem[];
  total: number;
  overdue: number;
}) {
  const columns: TableColumn<ActionItem>[] = [
    { title: 'Priority', field: 'priority', width: '80px' },
    {
      title: 'Action',
      field: 'title',
      render: a => (
        <>
          {a.title}
          {a.statusReason && (
            <Box color="text.secondary" fontSize="0.8em">
              {a.statusReason}
            </Box>
          )}
        </>
      ),
    },
    { title: 'Type', field: 'type', render: a => humanize(a.type) },
    {
      title: 'Owner',
      field: 'owner',
      render: a => <EntityRefLink entityRef={a.owner} defaultKind="group" />,
    },
    { title: 'Status', field: 'status', render: a => humanize(a.status) },
    {
      title: 'Due',
      field: 'dueDate',
      render: a => (
        <>
          {formatDate(a.dueDate)}
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
  ];
  return (
    <InfoCard
      title="Open preventive actions"
      subheader={`${props.total} open, ${props.overdue} overdue`}
      noPadding
    >
      <Table<ActionItem>
        columns={columns}
        data={props.actions}
        options={{
          paging: false,
          search: false,
          toolbar: false,
          padding: 'dense',
        }}
        emptyContent={
          <Box p={2}>
            No open actions. Every lesson has been turned into change.
          </Box>
        }
      />
    </InfoCard>
  );
}
