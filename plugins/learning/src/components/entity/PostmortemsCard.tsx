import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { learningApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { formatDate, humanize } from '../shared/format';

/** The entity's latest postmortems, each linking to its page. */
export function PostmortemsCard(props: {
  entityRef: string;
  /** From the entity's summary; absent while it loads (the list does not wait for it). */
  counts?: {
    draft: number;
    inReview: number;
    published: number;
    overdue: number;
  };
}) {
  const api = useApi(learningApiRef);
  const learningRoot = useRouteRef(rootRouteRef);
  const { value, loading, error } = useAsync(
    () =>
      api.listPostmortems({
        entityRef: props.entityRef,
        limit: 10,
        orderBy: 'createdAt',
        order: 'desc',
      }),
    [api, props.entityRef],
  );
  const counts = props.counts;
  return (
    <InfoCard
      title="Postmortems"
      subheader={
        counts &&
        `${counts.published} published, ${counts.inReview} in review, ${counts.draft} draft · ${counts.overdue} overdue`
      }
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && value.items.length === 0 && (
        <Typography variant="body2">No postmortems yet.</Typography>
      )}
      {value && value.items.length > 0 && (
        <List dense disablePadding>
          {value.items.map(p => (
            <ListItem key={p.id} disableGutters>
              <ListItemText
                primary={
                  learningRoot ? (
                    <Link to={`${learningRoot()}/postmortems/${p.id}`}>
                      {p.title}
                    </Link>
                  ) : (
                    p.title
                  )
                }
                secondary={`${humanize(p.status)} · ${
                  p.publishedAt
                    ? `published ${formatDate(p.publishedAt)}`
                    : `started ${formatDate(p.createdAt)}`
                }`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </InfoCard>
  );
}
