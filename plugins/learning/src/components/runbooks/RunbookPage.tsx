import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useParams } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Grid from '@material-ui/core/Grid';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { DateTime } from 'luxon';
import {
  learningRunbookUpdatePermission,
  type Runbook,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate } from '../shared/format';
import { problemMessage } from '../shared/problem';
import { RecordLink } from '../shared/RecordLink';
import { When } from '../shared/When';
import { useEntityNames } from '../shared/useEntityNames';
import { RunbookDialog } from './RunbookDialog';

/** Incidents by title where known, each a link to its page. */
function TitledIncidents(props: {
  items: Array<{ id: string; title?: string }>;
  empty: string;
}) {
  if (props.items.length === 0)
    return <Typography variant="body2">{props.empty}</Typography>;
  return (
    <ul style={{ margin: 0, paddingLeft: 20 }}>
      {props.items.map(i => (
        <li key={i.id}>
          <RecordLink kind="incident" id={i.id}>
            {i.title ?? 'An incident you may not see'}
          </RecordLink>
        </li>
      ))}
    </ul>
  );
}

/** /learning/runbooks/:runbookId: a runbook's steps, its review state, and where it helped or was missed. */
export function RunbookPage() {
  const { runbookId } = useParams();
  const api = useApi(learningApiRef);
  const [saved, setSaved] = useState<Runbook | undefined>();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const {
    value,
    loading,
    error: loadError,
  } = useAsync(() => api.getRunbook(runbookId!), [api, runbookId]);
  const runbook = saved ?? value;
  const names = useEntityNames(runbook ? [runbook.entityRef] : []);
  const permission = usePermission({
    permission: learningRunbookUpdatePermission,
    resourceRef: runbook?.entityRef ?? '',
  });
  const incidents = useAsync(async () => {
    if (!runbook) return new Map<string, string>();
    const ids = [...runbook.usedInIncidentIds, ...runbook.missingInIncidentIds];
    const found = await Promise.all(
      ids.slice(0, 50).map(id => api.getIncident(id).catch(() => undefined)),
    );
    return new Map(found.flatMap(i => (i ? [[i.id, i.title]] : [])));
  }, [api, runbook?.id, runbook?.version]);

  const markReviewed = async (base: Runbook) => {
    setError(undefined);
    try {
      setSaved(
        await api.updateRunbook(base.id, {
          version: base.version,
          lastReviewedAt: DateTime.now().toUTC().toISO()!,
        }),
      );
    } catch (e) {
      const current =
        e instanceof ResponseError && e.statusCode === 409
          ? (e.body as { current?: Runbook }).current
          : undefined;
      // a review is a fact about now: marking it on the newer version loses nothing
      if (current) await markReviewed(current);
      else setError(problemMessage(e));
    }
  };

  if (loading) return <Progress />;
  if (loadError) return <ResponseErrorPanel error={loadError} />;
  if (!runbook) return null;
  const denied = permission.allowed
    ? ''
    : `Only the owners of ${
        names.get(runbook.entityRef) ?? runbook.entityRef
      } can change its runbooks`;
  const guarded = (button: JSX.Element) =>
    denied ? (
      <Tooltip title={denied}>
        <span>{button}</span>
      </Tooltip>
    ) : (
      button
    );
  const named = (ids: string[]) =>
    ids.map(id => ({ id, title: incidents.value?.get(id) }));
  return (
    <Content>
      <ContentHeader title={runbook.title}>
        {guarded(
          <Button
            variant="outlined"
            disabled={!permission.allowed}
            onClick={() => setEditing(true)}
          >
            Edit
          </Button>,
        )}
        <Box ml={1}>
          {guarded(
            <Button
              variant="contained"
              color="primary"
              disabled={!permission.allowed}
              onClick={() => markReviewed(runbook)}
            >
              Mark reviewed
            </Button>,
          )}
        </Box>
      </ContentHeader>
      {error && <Alert severity="error">{error}</Alert>}
      <Grid container spacing={3}>
        <Grid item xs={12} md={8}>
          <InfoCard title="Steps">
            {runbook.body ? (
              <MarkdownContent content={runbook.body} dialect="gfm" />
            ) : (
              <Typography variant="body2">
                The steps are kept elsewhere.
              </Typography>
            )}
            {runbook.url && (
              <Box mt={2}>
                <Link to={runbook.url}>Open the runbook where it is kept</Link>
              </Box>
            )}
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={4}>
          <InfoCard title="Review">
            <Typography variant="body2" paragraph>
              For <EntityRefLink entityRef={runbook.entityRef} />. Last reviewed{' '}
              {runbook.lastReviewedAt ? (
                <When value={runbook.lastReviewedAt} />
              ) : (
                'never'
              )}
              ; reviewed every {runbook.reviewIntervalDays} days
              {runbook.nextReviewDue
                ? `, next by ${formatDate(runbook.nextReviewDue)}`
                : ''}
              .
            </Typography>
            {runbook.reviewOverdue && (
              <Chip size="small" color="secondary" label="Review overdue" />
            )}
          </InfoCard>
          <Box mt={3}>
            <InfoCard title="In incidents">
              <Typography variant="subtitle2">Used in</Typography>
              <TitledIncidents
                items={named(runbook.usedInIncidentIds)}
                empty="Not recorded as used yet."
              />
              <Box mt={2}>
                <Typography variant="subtitle2">Missed in</Typography>
                <TitledIncidents
                  items={named(runbook.missingInIncidentIds)}
                  empty="Never recorded as missing."
                />
              </Box>
            </InfoCard>
          </Box>
        </Grid>
      </Grid>
      {editing && (
        <RunbookDialog
          entityRef={runbook.entityRef}
          runbook={runbook}
          onClose={() => setEditing(false)}
          onSaved={setSaved}
        />
      )}
    </Content>
  );
}
