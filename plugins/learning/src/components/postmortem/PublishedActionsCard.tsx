import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { learningApiRef } from '../../api';
import { formatDate, humanize } from '../shared/format';

/** The action items a review produced, as readers of the published review see them (its Markdown lists them too). */
export function PublishedActionsCard(props: {
  postmortemId: string;
  noActionReason?: string;
}) {
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () =>
      api.listActions({
        postmortemId: props.postmortemId,
        limit: 100,
        orderBy: 'createdAt',
        order: 'asc',
      }),
    [api, props.postmortemId],
  );
  return (
    <InfoCard
      title={`Action items${value ? ` (${value.totalCount})` : ''}`}
      subheader="What this review changed"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value?.items.length === 0 && (
        <Typography variant="body2">
          {props.noActionReason
            ? `No action needed: ${props.noActionReason}`
            : 'No action items.'}
        </Typography>
      )}
      <List dense disablePadding>
        {value?.items.map(a => (
          <ListItem key={a.id} disableGutters data-testid="review-action">
            <ListItemText
              primary={`${a.priority} · ${a.title}`}
              secondary={
                <>
                  {humanize(a.status)}
                  {a.dueDate ? ` · due ${formatDate(a.dueDate)}` : ''} ·{' '}
                  <EntityRefLink entityRef={a.owner} defaultKind="group" />
                </>
              }
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}
