import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { RecordLink } from '../shared/RecordLink';
import { formatDate, humanize } from '../shared/format';

/** Actions as a short read-only list: each a link to its page, with status, due date and owner by name. */
export function ActionSummaryList(props: {
  actions: ActionItem[];
  empty: string;
}) {
  if (props.actions.length === 0)
    return <Typography variant="body2">{props.empty}</Typography>;
  return (
    <List dense disablePadding>
      {props.actions.map(a => (
        <ListItem key={a.id} disableGutters data-testid="review-action">
          <ListItemText
            primary={
              <>
                {a.priority} ·{' '}
                <RecordLink kind="action" id={a.id}>
                  {a.title}
                </RecordLink>
                {a.overdue && (
                  <Chip
                    size="small"
                    color="secondary"
                    label={`Overdue ${a.daysPastDue} d`}
                    style={{ marginLeft: 8 }}
                  />
                )}
              </>
            }
            secondary={
              <>
                {humanize(a.status)}
                {a.effectiveness ? ` (${humanize(a.effectiveness)})` : ''}
                {a.dueDate ? ` · due ${formatDate(a.dueDate)}` : ''} ·{' '}
                <EntityRefLink entityRef={a.owner} defaultKind="group" />
              </>
            }
          />
        </ListItem>
      ))}
    </List>
  );
}
