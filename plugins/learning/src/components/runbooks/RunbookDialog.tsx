import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import type { Runbook } from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { problemMessage } from '../shared/problem';

/**
 * Adds a runbook to an entity (its steps in Markdown, or a link to where they live), or edits one. An edit names
 * the version it was based on; when someone else saved meanwhile, nothing is overwritten.
 */
export function RunbookDialog(props: {
  entityRef: string;
  runbook?: Runbook;
  onClose: () => void;
  onSaved: (runbook: Runbook) => void;
}) {
  const api = useApi(learningApiRef);
  const [title, setTitle] = useState(props.runbook?.title ?? '');
  const [body, setBody] = useState(props.runbook?.body ?? '');
  const [url, setUrl] = useState(props.runbook?.url ?? '');
  const [reviewEvery, setReviewEvery] = useState(
    props.runbook ? String(props.runbook.reviewIntervalDays) : '',
  );
  const [error, setError] = useState<string | undefined>();
  const [current, setCurrent] = useState<Runbook | undefined>();
  const [busy, setBusy] = useState(false);

  const save = async (base?: Runbook) => {
    setBusy(true);
    setError(undefined);
    const reviewIntervalDays = reviewEvery ? Number(reviewEvery) : undefined;
    try {
      const saved = props.runbook
        ? await api.updateRunbook(props.runbook.id, {
            version: (base ?? props.runbook).version,
            title: title.trim(),
            body: body.trim() || null,
            url: url.trim() || null,
            reviewIntervalDays,
          })
        : await api.createRunbook({
            entityRef: props.entityRef,
            title: title.trim(),
            body: body.trim() || undefined,
            url: url.trim() || undefined,
            reviewIntervalDays,
          });
      props.onSaved(saved);
      props.onClose();
    } catch (e) {
      const theirs =
        e instanceof ResponseError && e.statusCode === 409
          ? (e.body as { current?: Runbook }).current
          : undefined;
      if (theirs) setCurrent(theirs);
      else setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="runbook-dialog-title"
    >
      <DialogTitle id="runbook-dialog-title">
        {props.runbook ? 'Edit runbook' : 'Add a runbook'}
      </DialogTitle>
      <DialogContent>
        {current && (
          <Alert
            severity="warning"
            action={
              <Button onClick={() => save(current)}>Apply mine on top</Button>
            }
          >
            Someone else saved this runbook (version {current.version}) while
            you were editing. Nothing was overwritten.
          </Alert>
        )}
        {error && (
          <Alert severity="error" data-testid="runbook-error">
            {error}
          </Alert>
        )}
        <TextField
          id="runbook-title"
          fullWidth
          required
          margin="normal"
          label="Title"
          value={title}
          onChange={e => setTitle(e.target.value)}
        />
        <TextField
          id="runbook-body"
          fullWidth
          multiline
          minRows={6}
          margin="normal"
          label="Steps (Markdown)"
          helperText="Write the steps here, or link to where they are kept below"
          value={body}
          onChange={e => setBody(e.target.value)}
        />
        <TextField
          id="runbook-url"
          fullWidth
          type="url"
          margin="normal"
          label="Link"
          placeholder="https://…"
          value={url}
          onChange={e => setUrl(e.target.value)}
        />
        <TextField
          id="runbook-interval"
          type="number"
          margin="normal"
          label="Review every (days)"
          helperText="Left empty, the organisation's default applies"
          inputProps={{ min: 1, max: 3650 }}
          value={reviewEvery}
          onChange={e => setReviewEvery(e.target.value)}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !title.trim() || !(body.trim() || url.trim())}
          onClick={() => save()}
        >
          {props.runbook ? 'Save' : 'Add runbook'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
