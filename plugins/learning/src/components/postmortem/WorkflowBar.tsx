import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Typography from '@material-ui/core/Typography';
import type {
  BlameFinding,
  PostmortemStatus,
} from '@learning-loop/plugin-learning-common';
import { humanize } from '../shared/format';

/** The review's status and its next steps; publishing with blameless-check findings asks for acknowledgement. */
export function WorkflowBar(props: {
  status: PostmortemStatus;
  saveState: string;
  findings: Array<BlameFinding & { section: string }>;
  canPublish: boolean;
  onMove: (
    status: PostmortemStatus,
    acknowledgeBlameFindings?: boolean,
  ) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [acknowledged, setAcknowledged] = useState(false);
  const publish = () =>
    props.findings.length ? setConfirming(true) : props.onMove('published');
  return (
    <Box
      display="flex"
      alignItems="center"
      style={{ gap: 12 }}
      mb={2}
      className="no-print"
    >
      <Chip
        label={humanize(props.status)}
        color={props.status === 'published' ? 'primary' : 'default'}
      />
      <Typography variant="caption" data-testid="save-state">
        {{
          saved: 'All changes saved',
          pending: 'Unsaved changes…',
          saving: 'Saving…',
          conflict: 'Conflict',
          error: 'Not saved',
        }[props.saveState] ?? props.saveState}
      </Typography>
      <Box flex={1} />
      {props.status === 'draft' && (
        <Button variant="outlined" onClick={() => props.onMove('in-review')}>
          Submit for review
        </Button>
      )}
      {props.status === 'in-review' && (
        <Button onClick={() => props.onMove('draft')}>Back to draft</Button>
      )}
      {props.status === 'in-review' && (
        <Button
          variant="contained"
          color="primary"
          disabled={!props.canPublish}
          title={
            props.canPublish
              ? ''
              : 'Only owners of the affected services publish'
          }
          onClick={publish}
        >
          Publish
        </Button>
      )}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        aria-labelledby="publish-title"
      >
        <DialogTitle id="publish-title">
          The blameless check still has findings
        </DialogTitle>
        <DialogContent>
          <ul>
            {props.findings.map(f => (
              <li key={`${f.section}-${f.start}`}>
                “{f.text}” in {f.section}
              </li>
            ))}
          </ul>
          <FormControlLabel
            control={
              <Checkbox
                checked={acknowledged}
                onChange={e => setAcknowledged(e.target.checked)}
              />
            }
            label="We reviewed these and publish anyway (your name is recorded)"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>
            Go back and reword
          </Button>
          <Button
            color="primary"
            variant="contained"
            disabled={!acknowledged}
            onClick={() => {
              setConfirming(false);
              props.onMove('published', true);
            }}
          >
            Publish anyway
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
