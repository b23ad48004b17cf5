import { InfoCard, Link } from '@backstage/core-components';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type { Runbook } from '@learning-loop/plugin-learning-common';
import { formatDate, formatRelative } from '../shared/format';

/** An entity's runbooks with when each was last reviewed. */
export function RunbooksCard(props: { runbooks: Runbook[] }) {
  return (
    <InfoCard title="Runbooks">
      {props.runbooks.length === 0 ? (
        <Typography variant="body2">
          No runbooks yet. Add one so responders are not left guessing.
        </Typography>
      ) : (
        <List dense disablePadding>
          {props.runbooks.map(r => (
            <ListItem key={r.id} disableGutters>
              <ListItemText
                primary={r.url ? <Link to={r.url}>{r.title}</Link> : r.title}
                secondary={
                  <>
                    {r.lastReviewedAt
                      ? `Last reviewed ${formatDate(
                          r.lastReviewedAt,
                        )} (${formatRelative(r.lastReviewedAt)})`
                      : 'Never reviewed'}
                    {r.reviewOverdue && (
                      <Chip
                        component="span"
                        size="small"
                        color="secondary"
                        label="Review overdue"
                        style={{ marginLeft: 8 }}
                      />
                    )}
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
