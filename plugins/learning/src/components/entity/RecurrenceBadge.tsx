import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import type {
  RecurrenceStatus,
  RecurrenceSummary,
} from '@learning-loop/plugin-learning-common';

const labels: Record<RecurrenceStatus, string> = {
  'no-recurrence': 'No recurrence',
  recurring: 'Recurring',
  'learning-did-not-hold': 'Learning did not hold',
  'repeated-without-action': 'Repeated without action',
};
const colors: Record<RecurrenceStatus, { background: string; color: string }> =
  {
    'no-recurrence': { background: '#2e7d32', color: '#fff' },
    recurring: { background: '#ed6c02', color: '#000' },
    'learning-did-not-hold': { background: '#c62828', color: '#fff' },
    'repeated-without-action': { background: '#c62828', color: '#fff' },
  };

/** The entity's recurrence status as a coloured badge; the reason is in the tooltip and the accessible name. */
export function RecurrenceBadge(props: { recurrence: RecurrenceSummary }) {
  const { status, reason } = props.recurrence;
  return (
    <Tooltip title={reason}>
      <Chip
        data-testid="recurrence-badge"
        aria-label={`Recurrence status: ${labels[status]}. ${reason}`}
        label={labels[status]}
        size="small"
        style={colors[status]}
      />
    </Tooltip>
  );
}
