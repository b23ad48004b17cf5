import { useMemo, useState } from 'react';
import { MarkdownContent } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import type { BlameCheckContext } from '@learning-loop/plugin-learning-common';
import { useBlameCheck } from './useBlameCheck';

/** One Markdown section: write or preview, with the blameless check's findings shown as you type. */
export function SectionEditor(props: {
  id: string;
  title: string;
  prompt?: string;
  required?: boolean;
  /** Why a save was refused because of this section, shown next to it. */
  error?: string;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  /** Who the people are (participants) and which names are services. */
  blameContext?: BlameCheckContext;
}) {
  const [tab, setTab] = useState(0);
  const check = useBlameCheck();
  const findings = useMemo(
    () => check?.findBlameLanguage(props.value, props.blameContext) ?? [],
    [check, props.value, props.blameContext],
  );
  return (
    <Box mb={3}>
      <Box display="flex" alignItems="baseline" justifyContent="space-between">
        <Typography variant="h6" component="h3">
          {props.title}
          {props.required && <span aria-label="required"> *</span>}
        </Typography>
        <Tabs
          value={tab}
          onChange={(_, v) => setTab(v)}
          aria-label={`${props.title}: write or preview`}
        >
          <Tab label="Write" />
          <Tab label="Preview" />
        </Tabs>
      </Box>
      {tab === 0 ? (
        <TextField
          id={`section-${props.id}`}
          fullWidth
          multiline
          minRows={3}
          variant="outlined"
          error={!!props.error}
          helperText={props.error ?? props.prompt}
          value={props.value}
          disabled={props.disabled}
          onChange={e => props.onChange(e.target.value)}
          inputProps={{ 'aria-label': props.title }}
        />
      ) : (
        <Box
          p={2}
          color={props.error ? 'error.main' : undefined}
          border={1}
          borderColor="divider"
          borderRadius={4}
          minHeight={80}
        >
          <MarkdownContent content={props.value || '_Nothing written yet._'} />
        </Box>
      )}
      {findings.map(f => (
        <Alert
          key={`${f.start}-${f.text}`}
          severity="warning"
          data-testid="blame-finding"
          style={{ marginTop: 8 }}
        >
          <b>“{f.text}”</b>: {f.suggestion}
        </Alert>
      ))}
    </Box>
  );
}
