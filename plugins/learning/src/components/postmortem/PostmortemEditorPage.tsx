import { useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  Content,
  ContentHeader,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import {
  defaultPostmortemTemplate,
  learningPostmortemUpdatePermission,
  markdownSectionFields,
  missingRequiredSections,
  type MarkdownSectionField,
  type Postmortem,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningUiSettings } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  DecisionsEditor,
  FactorsEditor,
  ParticipantsEditor,
  TimelineEditor,
} from './ListEditors';
import { PostmortemActionsCard } from './PostmortemActionsCard';
import { RevisionsCard } from './RevisionsCard';
import { SectionEditor } from './SectionEditor';
import { useBlameCheck } from './useBlameCheck';
import { usePostmortemAutosave } from './usePostmortemAutosave';
import { WorkflowBar } from './WorkflowBar';

function Editor(props: {
  postmortem: Postmortem;
  settings: LearningUiSettings;
}) {
  const {
    current,
    saved,
    state,
    error,
    theirs,
    edit,
    commit,
    loadTheirs,
    applyMineOnTop,
  } = usePostmortemAutosave(props.postmortem);
  const learningRoot = useRouteRef(rootRouteRef);
  const [actionCount, setActionCount] = useState(0);
  const { allowed: canPublish } = usePermission({
    permission: learningPostmortemUpdatePermission,
    resourceRef: props.postmortem.entityRefs[0],
  });
  const template =
    props.settings.templates.find(t => t.id === current.templateId) ??
    defaultPostmortemTemplate;
  const readOnly = saved.status === 'published';
  // once a move forward was refused for missing sections, each missing one says so next to itself until filled
  const [flagMissing, setFlagMissing] = useState(false);
  const missing = flagMissing
    ? missingRequiredSections(current, template, actionCount)
    : [];
  const requiredMessage = (title: string) =>
    missing.includes(title)
      ? `${title} is required to submit for review`
      : undefined;
  // who the people are, as the publish check knows them in part: the participants, and the reviewed entities are not
  const blameContext = useMemo(
    () => ({
      people: current.participants.map(p => parseEntityRef(p.entityRef).name),
      notPeople: current.entityRefs.map(ref => parseEntityRef(ref).name),
    }),
    [current.participants, current.entityRefs],
  );
  const check = useBlameCheck();
  const findings = useMemo(() => {
    if (!check) return [];
    const prose: Record<string, string | undefined> = {};
    for (const field of markdownSectionFields) prose[field] = current[field];
    current.timeline.forEach((t, n) => (prose[`timeline ${n + 1}`] = t.text));
    current.contributingFactors.forEach(
      (f, n) => (prose[`contributing factor ${n + 1}`] = f.text),
    );
    return check.findBlameLanguageInSections(prose, blameContext);
  }, [check, current, blameContext]);

  const editorOf = (
    field: (typeof template.sections)[number],
    problem: string | undefined,
  ) => {
    if ((markdownSectionFields as readonly string[]).includes(field.field)) {
      const key = field.field as MarkdownSectionField;
      return (
        <SectionEditor
          id={key}
          title={field.title}
          prompt={field.prompt}
          required={field.required}
          error={problem}
          value={current[key] ?? ''}
          blameContext={blameContext}
          disabled={readOnly}
          onChange={value => edit({ [key]: value })}
        />
      );
    }
    switch (field.field) {
      case 'timeline':
        return (
          <TimelineEditor
            rows={current.timeline}
            disabled={readOnly}
            onChange={timeline => edit({ timeline })}
          />
        );
      case 'contributingFactors':
        return (
          <FactorsEditor
            categories={props.settings.contributingFactorCategories}
            rows={current.contributingFactors}
            disabled={readOnly}
            onChange={contributingFactors => edit({ contributingFactors })}
          />
        );
      case 'decisions':
        return (
          <DecisionsEditor
            rows={current.decisions}
            disabled={readOnly}
            onChange={decisions => edit({ decisions })}
          />
        );
      case 'actionItems':
        return (
          <PostmortemActionsCard
            postmortem={saved}
            disabled={readOnly}
            noActionReason={current.noActionReason ?? ''}
            onNoActionReason={noActionReason => edit({ noActionReason })}
            onChanged={setActionCount}
          />
        );
      default:
        return null;
    }
  };
  const part = (field: (typeof template.sections)[number]) => {
    const problem = requiredMessage(field.title);
    const editor = editorOf(field, problem);
    const markdown = (markdownSectionFields as readonly string[]).includes(
      field.field,
    );
    return problem && !markdown ? (
      <>
        <Alert severity="error" data-testid="required-error">
          {problem}
        </Alert>
        {editor}
      </>
    ) : (
      editor
    );
  };

  return (
    <Content>
      <ContentHeader title={`Editing: ${saved.title}`}>
        <Link to={`${learningRoot()}/postmortems/${saved.id}`}>View</Link>
      </ContentHeader>
      <WorkflowBar
        status={saved.status}
        saveState={state}
        findings={findings}
        canPublish={
          canPublish && (actionCount > 0 || !!current.noActionReason?.trim())
        }
        onMove={(status, acknowledgeBlameFindings) => {
          if (
            status !== 'draft' &&
            missingRequiredSections(current, template, actionCount).length
          ) {
            setFlagMissing(true);
            return;
          }
          commit({
            status,
            ...(acknowledgeBlameFindings ? { acknowledgeBlameFindings } : {}),
          });
        }}
      />
      {state === 'conflict' && theirs && (
        <Alert
          severity="warning"
          action={
            <>
              <Button onClick={loadTheirs}>Load their version</Button>
              <Button onClick={applyMineOnTop}>Apply my edits on top</Button>
            </>
          }
        >
          Someone else saved version {theirs.version} while you were editing.
          Nothing was overwritten.
        </Alert>
      )}
      {missing.length > 0 && (
        <Alert severity="error" data-testid="missing-sections">
          To submit for review, fill in {missing.join(', ')}: each is marked
          below.
        </Alert>
      )}
      {state === 'error' && error && (
        <Alert severity="error" data-testid="save-error">
          {error}
        </Alert>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={8}>
          <InfoCard title={template.title}>
            <TextField
              fullWidth
              label="Title"
              value={current.title}
              disabled={readOnly}
              onChange={e => edit({ title: e.target.value })}
            />
            <Box mt={3}>
              {template.sections.map(section => (
                <div key={section.field}>{part(section)}</div>
              ))}
            </Box>
          </InfoCard>
        </Grid>
        <Grid item xs={12} md={4}>
          <InfoCard title="Review meeting">
            <TextField
              fullWidth
              type="date"
              label="Review date"
              InputLabelProps={{ shrink: true }}
              value={current.reviewDate ?? ''}
              disabled={readOnly}
              onChange={e => edit({ reviewDate: e.target.value || null })}
            />
            <Box mt={3}>
              <ParticipantsEditor
                rows={current.participants}
                disabled={readOnly}
                onChange={participants => edit({ participants })}
              />
            </Box>
          </InfoCard>
          <Box mt={3}>
            <RevisionsCard
              postmortemId={saved.id}
              latestVersion={saved.version}
            />
          </Box>
        </Grid>
      </Grid>
    </Content>
  );
}

/** The postmortem editor: template sections, timeline, factors, decisions, participants, autosave and workflow. */
export function PostmortemEditorPage() {
  const { postmortemId } = useParams();
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(async () => {
    const [postmortem, settings] = await Promise.all([
      api.getPostmortem(postmortemId!),
      api.getSettings(),
    ]);
    return { postmortem, settings };
  }, [api, postmortemId]);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  return value ? (
    <Editor postmortem={value.postmortem} settings={value.settings} />
  ) : null;
}
