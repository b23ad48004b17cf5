import Chip from '@material-ui/core/Chip';
import type { Severity } from '@learning-loop/plugin-learning-common';

const colors: Record<Severity, { background: string; color: string }> = {
  SEV1: { background: '#b71c1c', color: '#fff' },
  SEV2: { background: '#e65100', color: '#fff' },
  SEV3: { background: '#f9a825', color: '#000' },
  SEV4: { background: '#607d8b', color: '#fff' },
};

/** An incident severity as a small coloured chip. */
export function SeverityChip(props: { severity: Severity }) {
  return (
    <Chip label={props.severity} size="small" style={colors[props.severity]} />
  );
}
