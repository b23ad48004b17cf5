import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import type { ActionItem } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { formatDate, humanize } from '../shared/format';
import { When } from '../shared/When';
import { useEntityNames } from '../shared/useEntityNames';
import { ActionsTable } from './ActionsTable';
import { HistorySentence } from './HistoryDialog';

/** /learning/actions/:actionId: one action with where it came from, its controls and its whole history. */
export function ActionPage() {
  const { actionId } = useParams();
  const api = useApi(learningApiRef);
  const learningRoot = useRouteRef(rootRouteRef);
  const [saved, setSaved] = useState<ActionItem | undefined>();
  const { value, loading, error } = useAsync(
    () => api.getAction(actionId!),
    [api, actionId],
  );
  const history = useAsync(
    () => api.getHistory('actions', actionId!),
    [api, actionId, saved?.version],
  );
  const action = saved?.id === actionId ? saved : value;
  const entityNames = useEntityNames(action ? [action.entityRef] : []);
  return (
    <Content>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {action && (
        <>
          <ContentHeader title={action.title} />
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <ActionsTable
                title="Action"
                actions={[action]}
                showEntity
                deniedReason={a =>
                  `Only the owners of ${
                    entityNames.get(a.entityRef) ?? a.entityRef
                  } can change its actions`
                }
                onChanged={changed => setSaved(changed[0])}
                emptyText=""
              />
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Where it comes from">
                <Typography variant="body1" style={{ whiteSpace: 'pre-wrap' }}>
                  {action.description || 'No description.'}
                </Typography>
                <Box mt={2}>
                  {humanize(action.priority)} · {humanize(action.type)} ·{' '}
                  {humanize(action.category)} on{' '}
                  <EntityRefLink entityRef={action.entityRef} />, owned by{' '}
                  <EntityRefLink entityRef={action.owner} defaultKind="group" />
                  , due {formatDate(action.dueDate)}.
                </Box>
                {action.postmortemId && (
                  <Box mt={1}>
                    <Link
                      to={`${learningRoot()}/postmortems/${
                        action.postmortemId
                      }`}
                    >
                      The learning review it came from
                    </Link>
                  </Box>
                )}
                {action.incidentId && (
                  <Box mt={1}>
                    <Link
                      to={`${learningRoot()}/incidents/${action.incidentId}`}
                    >
                      The incident it prevents
                    </Link>
                  </Box>
                )}
                {action.completedAt && (
                  <Box mt={1}>
                    Done <When value={action.completedAt} />
                    {action.effectiveness === 'pending' &&
                      `; watching for a recurrence until ${formatDate(
                        action.watchUntil,
                      )}`}
                    {action.effectiveness &&
                      action.effectiveness !== 'pending' &&
                      `; ${humanize(action.effectiveness)}`}
                    {action.ineffectiveIncidentId && (
                      <>
                        {' '}
                        (
                        <Link
                          to={`${learningRoot()}/incidents/${
                            action.ineffectiveIncidentId
                          }`}
                        >
                          the recurrence
                        </Link>
                        )
                      </>
                    )}
                  </Box>
                )}
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="History">
                {history.loading && <Progress />}
                {history.error && <ResponseErrorPanel error={history.error} />}
                <List dense disablePadding>
                  {[...(history.value?.items ?? [])].reverse().map(entry => (
                    <ListItem key={entry.id} disableGutters divider>
                      <ListItemText
                        primary={<HistorySentence entry={entry} />}
                        secondary={<When value={entry.at} />}
                      />
                    </ListItem>
                  ))}
                </List>
              </InfoCard>
            </Grid>
          </Grid>
        </>
      )}
    </Content>
  );
}
