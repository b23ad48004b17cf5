import Tooltip from '@material-ui/core/Tooltip';
import { DateTime } from 'luxon';

/** Within this many days, a moment reads best relative to now ("3 hours ago"). */
const RELATIVE_DAYS = 7;

/**
 * A moment in the one date format of the plugin: luxon's medium presets, relative to now when it is recent, with
 * the full date and time on hover. A calendar date (YYYY-MM-DD) shows as a date.
 */
export function When(props: { value?: string; now?: DateTime }) {
  if (!props.value) return <>—</>;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(props.value);
  const at = DateTime.fromISO(props.value);
  if (!at.isValid) return <>{props.value}</>;
  const now = props.now ?? DateTime.now();
  const full = at.toLocaleString(
    dateOnly ? DateTime.DATE_FULL : DateTime.DATETIME_FULL,
  );
  const recent =
    !dateOnly && Math.abs(now.diff(at, 'days').days) < RELATIVE_DAYS;
  const shown = recent
    ? at.toRelative({ base: now }) ?? full
    : at.toLocaleString(dateOnly ? DateTime.DATE_MED : DateTime.DATETIME_MED);
  return (
    <Tooltip title={full}>
      <time dateTime={props.value}>{shown}</time>
    </Tooltip>
  );
}
