import { InfoCard, Link } from '@backstage/core-components';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { usePermission } from '@backstage/plugin-permission-react';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { useApi } from '@backstage/core-plugin-api';
import {
  learningRunbookCreatePermission,
  describeComparison,
  type Runbook,
  type RunbookEffectRow,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { formatDate, formatRelative } from '../shared/format';
import { readableMinutes } from '../shared/DurationDistribution';
import { RecordLink } from '../shared/RecordLink';
import { RunbookDialog } from '../runbooks/RunbookDialog';

/** "Mitigated in 24 min (n = 6) when used, 2 h (n = 6) when missing: ▼ better (…)". */
export function describeRunbookEffect(row: RunbookEffectRow): string {
  const side = (s: RunbookEffectRow['used']) =>
    s.n ? `${readableMinutes(s.median)} (n = ${s.n})` : 'no incidents';
  return `Median time to mitigate ${side(row.used)} when used, ${side(
    row.missing,
  )} when missing: ${describeComparison(row.change)}`;
}

/** An entity's runbooks with when each was last reviewed, and whether using them shortened mitigation. */
export function RunbooksCard(props: {
  runbooks: Runbook[];
  entityRef?: string;
  /** Called once a runbook was added. */
  onAdded?: () => void;
}) {
  const api = useApi(learningApiRef);
  const [adding, setAdding] = useState(false);
  const canAdd = usePermission({
    permission: learningRunbookCreatePermission,
    resourceRef: props.entityRef ?? '',
  });
  const effect = useAsync(
    async () =>
      props.entityRef ? api.getRunbookEffect(props.entityRef) : undefined,
    [api, props.entityRef],
  );
  const rowOf = (id: string) =>
    effect.value?.runbooks.find(r => r.runbookId === id);
  return (
    <InfoCard
      title="Runbooks"
      action={
        props.entityRef && (
          <Tooltip
            title={
              canAdd.allowed || canAdd.loading
                ? ''
                : 'Only the owners of this entity add its runbooks'
            }
          >
            <span>
              <Button
                size="small"
                disabled={!canAdd.allowed}
                onClick={() => setAdding(true)}
              >
                Add runbook
              </Button>
            </span>
          </Tooltip>
        )
      }
      subheader={
        effect.value &&
        effect.value.overall.used.n + effect.value.overall.missing.n
          ? describeRunbookEffect(effect.value.overall)
          : undefined
      }
    >
      {props.runbooks.length === 0 ? (
        <Typography variant="body2">
          No runbooks yet. Add one so responders are not left guessing.
        </Typography>
      ) : (
        <List dense disablePadding>
          {props.runbooks.map(r => (
            <ListItem key={r.id} disableGutters>
              <ListItemText
                primary={
                  <>
                    <RecordLink kind="runbook" id={r.id}>
                      {r.title}
                    </RecordLink>
                    {r.url && (
                      <>
                        {' '}
                        <Link to={r.url} style={{ fontSize: '0.85em' }}>
                          (where it is kept)
                        </Link>
                      </>
                    )}
                  </>
                }
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
                    {rowOf(r.id) && (
                      <span
                        style={{ display: 'block' }}
                        data-testid={`runbook-effect-${r.id}`}
                      >
                        {describeRunbookEffect(rowOf(r.id)!)}
                      </span>
                    )}
                  </>
                }
              />
            </ListItem>
          ))}
        </List>
      )}
      {adding && props.entityRef && (
        <RunbookDialog
          entityRef={props.entityRef}
          onClose={() => setAdding(false)}
          onSaved={() => props.onAdded?.()}
        />
      )}
    </InfoCard>
  );
}
