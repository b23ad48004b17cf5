import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import DeleteIcon from '@material-ui/icons/Delete';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { DateTime } from 'luxon';
import {
  participantRoles,
  timelineEntryKinds,
  type ContributingFactor,
  type DecisionLogEntry,
  type Participant,
  type TimelineEntry,
} from '@learning-loop/plugin-learning-common';
import { humanize } from '../shared/format';
import { useOwnerOptions } from '../actions/OwnerPicker';

/** A field of a row editor. */
type FieldSpec<T> = {
  key: keyof T & string;
  label: string;
  width: number;
  render?: (
    value: T,
    set: (patch: Partial<T>) => void,
    label: string,
  ) => JSX.Element;
};

/** Edits a list of rows: one line per row, a delete button each, and an add button. */
function RowsEditor<T>(props: {
  title: string;
  rows: T[];
  fields: FieldSpec<T>[];
  blank: () => T;
  onChange: (rows: T[]) => void;
  disabled?: boolean;
}) {
  const update = (n: number, patch: Partial<T>) =>
    props.onChange(
      props.rows.map((r, i) => (i === n ? { ...r, ...patch } : r)),
    );
  return (
    <Box mb={3}>
      <Typography variant="h6" component="h3">
        {props.title}
      </Typography>
      {props.rows.map((row, n) => (
        <Box
          key={n}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          mb={1}
        >
          {props.fields.map(f => {
            const label = `${f.label} ${n + 1}`;
            return (
              <Box key={f.key} flex={f.width}>
                {f.render ? (
                  f.render(row, patch => update(n, patch), label)
                ) : (
                  <TextField
                    id={`${props.title}-${f.key}-${n}`
                      .toLowerCase()
                      .replace(/[^a-z0-9]+/g, '-')}
                    fullWidth
                    size="small"
                    label={label}
                    value={(row[f.key] as unknown as string) ?? ''}
                    disabled={props.disabled}
                    onChange={e =>
                      update(n, { [f.key]: e.target.value } as Partial<T>)
                    }
                  />
                )}
              </Box>
            );
          })}
          <IconButton
            aria-label={`Remove ${props.title.toLowerCase()} ${n + 1}`}
            disabled={props.disabled}
            onClick={() => props.onChange(props.rows.filter((_, i) => i !== n))}
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        </Box>
      ))}
      <Button
        size="small"
        startIcon={<AddIcon />}
        disabled={props.disabled}
        onClick={() => props.onChange([...props.rows, props.blank()])}
      >
        Add {props.title.toLowerCase().replace(/s$/, '')}
      </Button>
    </Box>
  );
}

const toLocal = (iso: string) =>
  iso ? DateTime.fromISO(iso).toFormat("yyyy-LL-dd'T'HH:mm") : '';
const fromLocal = (local: string) =>
  local ? DateTime.fromISO(local).toUTC().toISO()! : '';

/** Timestamped timeline entries. */
export function TimelineEditor(props: {
  rows: TimelineEntry[];
  onChange: (rows: TimelineEntry[]) => void;
  disabled?: boolean;
}) {
  return (
    <RowsEditor<TimelineEntry>
      title="Timeline"
      rows={props.rows}
      disabled={props.disabled}
      onChange={props.onChange}
      blank={() => ({
        at: DateTime.utc().startOf('minute').toISO()!,
        kind: 'detection',
        text: '',
      })}
      fields={[
        {
          key: 'at',
          label: 'When',
          width: 3,
          render: (r, set, label) => (
            <TextField
              fullWidth
              size="small"
              type="datetime-local"
              label={label}
              InputLabelProps={{ shrink: true }}
              value={toLocal(r.at)}
              onChange={e => set({ at: fromLocal(e.target.value) })}
            />
          ),
        },
        {
          key: 'kind',
          label: 'Kind',
          width: 2,
          render: (r, set, label) => (
            <TextField
              select
              fullWidth
              size="small"
              label={label}
              value={r.kind}
              onChange={e =>
                set({ kind: e.target.value as TimelineEntry['kind'] })
              }
            >
              {timelineEntryKinds.map(k => (
                <MenuItem key={k} value={k}>
                  {humanize(k)}
                </MenuItem>
              ))}
            </TextField>
          ),
        },
        { key: 'text', label: 'What happened', width: 7 },
      ]}
    />
  );
}

/** Contributing factors: a category from the taxonomy (or a new one) and free text. */
export function FactorsEditor(props: {
  categories: string[];
  rows: ContributingFactor[];
  onChange: (rows: ContributingFactor[]) => void;
  disabled?: boolean;
}) {
  return (
    <RowsEditor<ContributingFactor>
      title="Contributing factors"
      rows={props.rows}
      disabled={props.disabled}
      onChange={props.onChange}
      // no preselected category: a default would feed recurrence detection with a guess
      blank={() => ({ category: '', text: '' })}
      fields={[
        {
          key: 'category',
          label: 'Category',
          width: 3,
          render: (r, set, label) => (
            <Autocomplete
              freeSolo
              size="small"
              options={props.categories}
              value={r.category}
              onInputChange={(_, v) =>
                set({ category: v.toLowerCase().replace(/\s+/g, '-') })
              }
              renderInput={params => (
                <TextField
                  {...params}
                  label={label}
                  placeholder="Choose or type one"
                  error={!r.category && !!r.text}
                  helperText={
                    !r.category && r.text
                      ? 'Choose a category: the factor is saved once it has one'
                      : undefined
                  }
                />
              )}
            />
          ),
        },
        { key: 'text', label: 'How it contributed', width: 9 },
      ]}
    />
  );
}

/** The decision log. */
export function DecisionsEditor(props: {
  rows: DecisionLogEntry[];
  onChange: (rows: DecisionLogEntry[]) => void;
  disabled?: boolean;
}) {
  return (
    <RowsEditor<DecisionLogEntry>
      title="Decisions"
      rows={props.rows}
      disabled={props.disabled}
      onChange={props.onChange}
      blank={() => ({ decision: '', rationale: '' })}
      fields={[
        { key: 'decision', label: 'Decision', width: 4 },
        { key: 'rationale', label: 'Rationale', width: 3 },
        { key: 'decidedBy', label: 'Decided by', width: 2 },
        {
          key: 'decidedAt',
          label: 'When',
          width: 3,
          render: (r, set, label) => (
            <TextField
              fullWidth
              size="small"
              type="datetime-local"
              label={label}
              InputLabelProps={{ shrink: true }}
              value={toLocal(r.decidedAt ?? '')}
              onChange={e =>
                set({ decidedAt: fromLocal(e.target.value) || undefined })
              }
            />
          ),
        },
      ]}
    />
  );
}

/** Participants, picked from catalog users, with their roles. */
export function ParticipantsEditor(props: {
  rows: Participant[];
  onChange: (rows: Participant[]) => void;
  disabled?: boolean;
}) {
  const { options } = useOwnerOptions();
  const users = options.filter(o => o.ref.startsWith('user:'));
  return (
    <RowsEditor<Participant>
      title="Participants"
      rows={props.rows}
      disabled={props.disabled}
      onChange={props.onChange}
      blank={() => ({ entityRef: '', role: 'responder' })}
      fields={[
        {
          key: 'entityRef',
          label: 'Person',
          width: 6,
          render: (r, set, label) => (
            <Autocomplete
              size="small"
              options={users}
              value={users.find(u => u.ref === r.entityRef) ?? null}
              getOptionLabel={o => o.label}
              getOptionSelected={(o, v) => o.ref === v.ref}
              onChange={(_, o) => o && set({ entityRef: o.ref })}
              renderInput={params => <TextField {...params} label={label} />}
            />
          ),
        },
        {
          key: 'role',
          label: 'Role',
          width: 4,
          render: (r, set, label) => (
            <TextField
              select
              fullWidth
              size="small"
              label={label}
              value={r.role}
              onChange={e =>
                set({ role: e.target.value as Participant['role'] })
              }
            >
              {participantRoles.map(role => (
                <MenuItem key={role} value={role}>
                  {humanize(role)}
                </MenuItem>
              ))}
            </TextField>
          ),
        },
      ]}
    />
  );
}
