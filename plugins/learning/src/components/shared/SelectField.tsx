import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** One choice of a {@link SelectField}. */
export interface SelectOption {
  value: string;
  label: string;
}

type Common = {
  label: string;
  /** What screen readers hear; "Filter by <label>" unless given. */
  ariaLabel?: string;
  options: readonly SelectOption[];
  minWidth?: number;
  disabled?: boolean;
};

/**
 * The one select field of the Learning screens: outlined, small, labelled for screen readers as "Filter by …".
 * Single choice (`allLabel` adds a first choice that clears it) or several (`multiple`).
 */
export function SelectField(
  props: Common &
    (
      | {
          multiple?: false;
          value?: string;
          onChange: (value?: string) => void;
          allLabel?: string;
        }
      | {
          multiple: true;
          value: string[];
          onChange: (value: string[]) => void;
        }
    ),
) {
  const labelOf = new Map(props.options.map(o => [o.value, o.label]));
  return (
    <TextField
      select
      size="small"
      variant="outlined"
      label={props.label}
      disabled={props.disabled}
      value={props.value ?? ''}
      onChange={e => {
        const value = e.target.value as unknown;
        if (props.multiple) props.onChange(value as string[]);
        else props.onChange((value as string) || undefined);
      }}
      SelectProps={
        props.multiple
          ? {
              multiple: true,
              renderValue: v =>
                (v as string[]).map(x => labelOf.get(x) ?? x).join(', '),
            }
          : undefined
      }
      style={{ minWidth: props.minWidth ?? 150 }}
      inputProps={{
        'aria-label':
          props.ariaLabel ?? `Filter by ${props.label.toLowerCase()}`,
      }}
    >
      {!props.multiple && props.allLabel !== undefined && (
        <MenuItem value="">{props.allLabel}</MenuItem>
      )}
      {props.options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
