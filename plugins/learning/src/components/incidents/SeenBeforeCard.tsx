import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  InfoCard,
  MarkdownContent,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  learningIncidentUpdatePermission,
  type Incident,
  type Novelty,
  type RelatedMatch,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate, humanize } from '../shared/format';
import { problemMessage } from '../shared/problem';
import { RecordLink } from '../shared/RecordLink';
import { SeverityChip } from './SeverityChip';

/** What a novelty label means, in a sentence. */
export const noveltyText: Record<Novelty, string> = {
  new: 'New: nothing like it was seen on this entity before',
  rare: 'Rare: seen on this entity once or twice before',
  frequent: 'Frequent: seen on this entity three times or more before',
};

/** The novelty of an incident's failure for its entity, as a chip. */
export function NoveltyChip(props: { novelty: Novelty; long?: boolean }) {
  return (
    <Chip
      size="small"
      color={props.novelty === 'frequent' ? 'secondary' : 'default'}
      variant={props.novelty === 'new' ? 'outlined' : 'default'}
      label={
        props.long
          ? `${humanize(props.novelty)} failure`
          : humanize(props.novelty)
      }
      title={noveltyText[props.novelty]}
      data-testid="novelty"
    />
  );
}

/** One earlier incident like this one, and what was learned from it. */
function Match(props: {
  match: RelatedMatch;
  incident: Incident;
  canLink: boolean;
  onLinked: (incident: Incident) => void;
}) {
  const api = useApi(learningApiRef);
  const [error, setError] = useState<string | undefined>();
  const { match: m, incident } = props;
  const linked = incident.recurrenceOfId === m.incidentId;
  const link = async () => {
    setError(undefined);
    try {
      props.onLinked(
        await api.updateIncident(incident.id, {
          version: incident.version,
          recurrenceOfId: m.incidentId,
        }),
      );
    } catch (e) {
      setError(problemMessage(e));
    }
  };
  return (
    <Box
      mb={2}
      pb={2}
      borderBottom={1}
      borderColor="divider"
      data-testid="related-match"
    >
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <SeverityChip severity={m.severity} />
        <Typography variant="subtitle1" component="h3">
          <RecordLink kind="incident" id={m.incidentId}>
            {m.title}
          </RecordLink>
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {formatDate(m.startedAt)}
        </Typography>
      </Box>
      <Typography variant="body2" color="textSecondary">
        {m.reasons.join('; ')} · match {Math.round(m.score * 100)}%
      </Typography>
      {m.postmortem ? (
        <Box mt={1}>
          <Typography variant="body2">
            <RecordLink kind="postmortem" id={m.postmortem.id}>
              Its learning review
            </RecordLink>{' '}
            ({humanize(m.postmortem.status)})
            {m.postmortem.lessons
              ? ' learned:'
              : ' has no lessons written yet.'}
          </Typography>
          {m.postmortem.lessons && (
            <MarkdownContent content={m.postmortem.lessons} dialect="gfm" />
          )}
          {m.postmortem.decisions.length > 0 && (
            <Typography variant="body2">
              Decided: {m.postmortem.decisions.join('; ')}
            </Typography>
          )}
        </Box>
      ) : (
        <Typography variant="body2">No learning review was written.</Typography>
      )}
      {m.actions.length > 0 && (
        <ul style={{ margin: '4px 0', paddingLeft: 20 }}>
          {m.actions.map(a => (
            <li key={a.id}>
              <Typography variant="body2" component="span">
                <RecordLink kind="action" id={a.id}>
                  {a.title}
                </RecordLink>{' '}
                · {humanize(a.status)}
                {a.completedAt ? ` ${formatDate(a.completedAt)}` : ''}
                {a.effectiveness ? ` · ${humanize(a.effectiveness)}` : ''}
              </Typography>
            </li>
          ))}
        </ul>
      )}
      {(m.runbooks.used.length > 0 || m.runbooks.missing.length > 0) && (
        <Typography variant="body2">
          {m.runbooks.used.length > 0 && (
            <>
              Runbook used:{' '}
              {m.runbooks.used.map((r, n) => (
                <span key={r.id}>
                  {n > 0 && ', '}
                  <RecordLink kind="runbook" id={r.id}>
                    {r.title}
                  </RecordLink>
                </span>
              ))}
              .{' '}
            </>
          )}
          {m.runbooks.missing.length > 0 && (
            <>
              Runbook missing:{' '}
              {m.runbooks.missing.map((r, n) => (
                <span key={r.id}>
                  {n > 0 && ', '}
                  <RecordLink kind="runbook" id={r.id}>
                    {r.title}
                  </RecordLink>
                </span>
              ))}
              .
            </>
          )}
        </Typography>
      )}
      <Box mt={1}>
        {linked ? (
          <Chip size="small" color="primary" label="This incident repeats it" />
        ) : (
          <Button
            size="small"
            variant="outlined"
            disabled={!props.canLink}
            onClick={link}
            aria-label={`This is a recurrence of ${m.title}`}
          >
            This is a recurrence of it
          </Button>
        )}
      </Box>
      {error && <Alert severity="error">{error}</Alert>}
    </Box>
  );
}

/**
 * "Seen before": earlier incidents like this one on its entities and their catalog neighbours, why each matched,
 * and what was learned from it (lessons, decisions, actions and whether they held, runbooks); one click records that
 * this incident repeats one of them.
 */
export function SeenBeforeCard(props: {
  incident: Incident;
  onChanged: (incident: Incident) => void;
}) {
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () => api.getRelatedLearnings(props.incident.id),
    [api, props.incident.id],
  );
  const { allowed } = usePermission({
    permission: learningIncidentUpdatePermission,
    resourceRef: props.incident.entityRefs[0],
  });
  return (
    <InfoCard
      title="Seen before"
      subheader={
        value
          ? `${noveltyText[value.novelty]}, in the last ${
              value.windowDays
            } days`
          : undefined
      }
      action={value && <NoveltyChip novelty={value.novelty} />}
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && value.matches.length === 0 && (
        <Typography variant="body2">
          No earlier incident on this entity or its neighbours looks like it.
        </Typography>
      )}
      {value?.matches.map(m => (
        <Match
          key={m.incidentId}
          match={m}
          incident={props.incident}
          canLink={allowed}
          onLinked={props.onChanged}
        />
      ))}
    </InfoCard>
  );
}
