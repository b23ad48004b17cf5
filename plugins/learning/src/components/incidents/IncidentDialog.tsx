import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { DateTime } from 'luxon';
import {
  severities,
  type Incident,
  type IncidentKind,
  type RecurrenceSuggestion,
  type Severity,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate, humanize } from '../shared/format';
import { problemMessage } from '../shared/problem';
import { RecordLink } from '../shared/RecordLink';

/** The kinds a person records from Backstage; the rest arrive from tools. */
const recordedKinds: IncidentKind[] = [
  'incident',
  'near-miss',
  'failed-deployment',
  'game-day',
];

const toLocal = (iso?: string) =>
  iso ? DateTime.fromISO(iso).toFormat("yyyy-LL-dd'T'HH:mm") : '';
const fromLocal = (local: string) =>
  local ? DateTime.fromISO(local).toUTC().toISO()! : undefined;

interface Draft {
  title: string;
  kind: IncidentKind;
  severity: Severity;
  startedAt: string;
  mitigatedAt: string;
  resolvedAt: string;
  failureModes: string[];
  summary: string;
}

function draftOf(incident?: Incident): Draft {
  return {
    title: incident?.title ?? '',
    kind: incident?.kind ?? 'incident',
    severity: incident?.severity ?? 'SEV3',
    startedAt: toLocal(incident?.startedAt ?? DateTime.now().toISO()!),
    mitigatedAt: toLocal(incident?.mitigatedAt),
    resolvedAt: toLocal(incident?.resolvedAt),
    failureModes: incident?.failureModes ?? [],
    summary: incident?.summary ?? '',
  };
}

/** Earlier incidents the new one may repeat, each confirmed or rejected by the person who recorded it. */
function SeenBefore(props: {
  incident: Incident;
  suggestions: RecurrenceSuggestion[];
  onConfirmed: (incident: Incident) => void;
}) {
  const api = useApi(learningApiRef);
  const [rejected, setRejected] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  const confirmed = props.incident.recurrenceOfId;
  const shown = props.suggestions.filter(s => !rejected.includes(s.incidentId));
  const confirm = async (s: RecurrenceSuggestion) => {
    try {
      props.onConfirmed(
        await api.updateIncident(props.incident.id, {
          version: props.incident.version,
          recurrenceOfId: s.incidentId,
        }),
      );
    } catch (e) {
      setError(problemMessage(e));
    }
  };
  if (shown.length === 0)
    return (
      <Typography variant="body2">
        Nothing like it was seen before on this entity.
      </Typography>
    );
  return (
    <>
      {error && <Alert severity="error">{error}</Alert>}
      <List dense disablePadding data-testid="seen-before">
        {shown.map(s => (
          <ListItem key={s.incidentId} disableGutters divider>
            <ListItemText
              primary={
                <>
                  <RecordLink kind="incident" id={s.incidentId}>
                    {s.title}
                  </RecordLink>{' '}
                  · {formatDate(s.startedAt)}
                </>
              }
              secondary={s.reasons.join('; ')}
            />
            {confirmed === s.incidentId ? (
              <Typography variant="body2">Recorded as a recurrence</Typography>
            ) : (
              <Box display="flex" style={{ gap: 4 }}>
                <Button
                  size="small"
                  color="primary"
                  disabled={!!confirmed}
                  onClick={() => confirm(s)}
                  aria-label={`${props.incident.title} is a recurrence of ${s.title}`}
                >
                  Recurrence of this
                </Button>
                <Button
                  size="small"
                  disabled={!!confirmed}
                  onClick={() => setRejected(r => [...r, s.incidentId])}
                  aria-label={`${s.title} is not related`}
                >
                  Not related
                </Button>
              </Box>
            )}
          </ListItem>
        ))}
      </List>
    </>
  );
}

/** Titles shorter than this are not compared yet. */
const COMPARE_FROM = 8;

/**
 * While a new incident's title is typed: the earlier incidents on the entity and its neighbours that look like it,
 * and what was learned from them (the lesson, the actions and whether they held), before anything is recorded.
 */
function LikeThisBefore(props: {
  entityRef: string;
  title: string;
  failureModes: string[];
}) {
  const api = useApi(learningApiRef);
  const [query, setQuery] = useState<
    { title: string; failureModes: string[] } | undefined
  >();
  useDebounce(
    () =>
      setQuery(
        props.title.trim().length >= COMPARE_FROM
          ? { title: props.title.trim(), failureModes: props.failureModes }
          : undefined,
      ),
    400,
    [props.title, props.failureModes.join('\n')],
  );
  const { value } = useAsync(
    async () =>
      query
        ? api.findRelatedLearnings({
            entityRefs: [props.entityRef],
            title: query.title,
            failureModes: query.failureModes,
          })
        : undefined,
    [api, props.entityRef, query],
  );
  const matches = (query && value?.matches.slice(0, 3)) ?? [];
  if (matches.length === 0) return null;
  return (
    <Alert
      severity="info"
      data-testid="like-this-before"
      aria-live="polite"
      style={{ marginTop: 8 }}
    >
      <Typography variant="body2" component="div">
        <strong>Seen before?</strong> Earlier incidents like this one, and what
        was learned:
      </Typography>
      <List dense disablePadding>
        {matches.map(m => {
          const done = m.actions.filter(a => a.status === 'done');
          return (
            <ListItem key={m.incidentId} disableGutters>
              <ListItemText
                primary={
                  <>
                    <RecordLink kind="incident" id={m.incidentId} newTab>
                      {m.title}
                    </RecordLink>{' '}
                    ({formatDate(m.startedAt)})
                  </>
                }
                secondary={[
                  m.reasons.join('; '),
                  m.postmortem?.lessons
                    ? `Lesson: ${m.postmortem.lessons.split('\n')[0]}`
                    : undefined,
                  done.length
                    ? `Done: ${done
                        .map(
                          a =>
                            `${a.title}${
                              a.effectiveness === 'ineffective'
                                ? ' (did not hold)'
                                : ''
                            }`,
                        )
                        .join(', ')}`
                    : undefined,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              />
            </ListItem>
          );
        })}
      </List>
    </Alert>
  );
}

/**
 * Records an incident, a near miss, a failed deployment or a game day on an entity, or edits one. A new record is
 * answered with the earlier incidents it may repeat, to confirm or reject. An edit names the version it was based
 * on: when someone else saved meanwhile, nothing is overwritten and the person may re-apply their edit on top.
 */
export function IncidentDialog(props: {
  open: boolean;
  entityRef: string;
  incident?: Incident;
  onClose: () => void;
  onSaved: (incident: Incident) => void;
}) {
  const api = useApi(learningApiRef);
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.incident));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [conflict, setConflict] = useState<Incident | undefined>();
  const [created, setCreated] = useState<Incident | undefined>();
  const settings = useAsync(() => api.getSettings(), [api]);
  const set = (patch: Partial<Draft>) => setDraft(d => ({ ...d, ...patch }));

  const fields = () => ({
    title: draft.title.trim(),
    kind: draft.kind,
    severity: draft.severity,
    startedAt: fromLocal(draft.startedAt)!,
    failureModes: draft.failureModes,
  });
  const save = async (base?: Incident) => {
    setBusy(true);
    setError(undefined);
    try {
      if (props.incident) {
        const saved = await api.updateIncident(props.incident.id, {
          ...fields(),
          version: (base ?? props.incident).version,
          mitigatedAt: fromLocal(draft.mitigatedAt) ?? null,
          resolvedAt: fromLocal(draft.resolvedAt) ?? null,
          summary: draft.summary.trim() || null,
        });
        setConflict(undefined);
        props.onSaved(saved);
        props.onClose();
      } else {
        const saved = await api.createIncident({
          ...fields(),
          entityRefs: [props.entityRef],
          mitigatedAt: fromLocal(draft.mitigatedAt),
          resolvedAt: fromLocal(draft.resolvedAt),
          summary: draft.summary.trim() || undefined,
        });
        props.onSaved(saved);
        if (saved.recurrenceSuggestions?.length) setCreated(saved);
        else props.onClose();
      }
    } catch (e) {
      const current =
        e instanceof ResponseError && e.statusCode === 409
          ? (e.body as { current?: Incident }).current
          : undefined;
      if (current) setConflict(current);
      else setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const noun = humanize(draft.kind).toLowerCase();
  if (created) {
    return (
      <Dialog
        open={props.open}
        onClose={props.onClose}
        fullWidth
        maxWidth="md"
        aria-labelledby="seen-before-title"
      >
        <DialogTitle id="seen-before-title">Seen before?</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            “{created.title}” is recorded. These earlier incidents on the same
            entity look like it: say whether it repeats one of them, so
            recurrence counts and “did the fix hold” stay true.
          </Typography>
          <SeenBefore
            incident={created}
            suggestions={created.recurrenceSuggestions ?? []}
            onConfirmed={incident => {
              setCreated({
                ...incident,
                recurrenceSuggestions: created.recurrenceSuggestions,
              });
              props.onSaved(incident);
            }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Done</Button>
        </DialogActions>
      </Dialog>
    );
  }
  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="incident-dialog-title"
    >
      <DialogTitle id="incident-dialog-title">
        {props.incident ? `Edit ${noun}` : 'Record an incident'}
      </DialogTitle>
      <DialogContent>
        {conflict && (
          <Alert
            severity="warning"
            action={
              <>
                <Button
                  onClick={() => {
                    setDraft(draftOf(conflict));
                    setConflict(undefined);
                  }}
                >
                  Load theirs
                </Button>
                <Button onClick={() => save(conflict)}>
                  Apply mine on top
                </Button>
              </>
            }
          >
            Someone else saved this incident (version {conflict.version}) while
            you were editing. Nothing was overwritten.
          </Alert>
        )}
        {error && (
          <Alert severity="error" data-testid="incident-error">
            {error}
          </Alert>
        )}
        <Grid container spacing={2}>
          <Grid item xs={12}>
            <TextField
              id="incident-title"
              fullWidth
              required
              label="Title"
              value={draft.title}
              onChange={e => set({ title: e.target.value })}
            />
            {!props.incident && (
              <LikeThisBefore
                entityRef={props.entityRef}
                title={draft.title}
                failureModes={draft.failureModes}
              />
            )}
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              id="incident-kind"
              select
              fullWidth
              label="Kind"
              value={draft.kind}
              onChange={e => set({ kind: e.target.value as IncidentKind })}
              helperText={
                draft.kind === 'game-day'
                  ? 'Game days are left out of incident metrics'
                  : undefined
              }
            >
              {(props.incident && !recordedKinds.includes(props.incident.kind)
                ? [...recordedKinds, props.incident.kind]
                : recordedKinds
              ).map(k => (
                <MenuItem key={k} value={k}>
                  {humanize(k)}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          <Grid item xs={12} sm={6}>
            <TextField
              id="incident-severity"
              select
              fullWidth
              label="Severity"
              value={draft.severity}
              onChange={e => set({ severity: e.target.value as Severity })}
            >
              {severities.map(s => (
                <MenuItem key={s} value={s}>
                  {s}
                </MenuItem>
              ))}
            </TextField>
          </Grid>
          {(
            [
              ['startedAt', 'Started'],
              ['mitigatedAt', 'Mitigated'],
              ['resolvedAt', 'Resolved'],
            ] as const
          ).map(([key, label]) => (
            <Grid item xs={12} sm={4} key={key}>
              <TextField
                id={`incident-${key}`}
                fullWidth
                type="datetime-local"
                label={label}
                required={key === 'startedAt'}
                InputLabelProps={{ shrink: true }}
                value={draft[key]}
                onChange={e => set({ [key]: e.target.value })}
              />
            </Grid>
          ))}
          <Grid item xs={12}>
            <Autocomplete
              multiple
              id="incident-failure-modes"
              options={settings.value?.failureModes ?? []}
              value={draft.failureModes}
              onChange={(_, failureModes) => set({ failureModes })}
              renderInput={params => (
                <TextField
                  {...params}
                  label="Failure modes"
                  helperText="From the organisation's list: they drive recurrence detection"
                />
              )}
            />
          </Grid>
          <Grid item xs={12}>
            <TextField
              id="incident-summary"
              fullWidth
              multiline
              minRows={3}
              label="Summary"
              value={draft.summary}
              onChange={e => set({ summary: e.target.value })}
            />
          </Grid>
        </Grid>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !draft.title.trim() || !draft.startedAt}
          onClick={() => save()}
        >
          {props.incident ? 'Save' : `Record ${noun}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
