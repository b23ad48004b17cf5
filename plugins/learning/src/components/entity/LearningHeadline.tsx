import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import type { EntityLearningSummary } from '@learning-loop/plugin-learning-common';
import { RecordLink } from '../shared/RecordLink';
import { formatDate } from '../shared/format';

type Finding = EntityLearningSummary['recurrence']['findings'][number];
type FindingAction = Finding['actions'][number];

/** The latest completed preventive action of a recurring failure, and whether it held. */
function lastFix(
  findings: Finding[],
): { action: FindingAction; failureMode: string } | undefined {
  const done = findings.flatMap(f =>
    f.actions
      .filter(a => a.status === 'done' && a.completedAt)
      .map(action => ({ action, failureMode: f.failureMode })),
  );
  return done.sort((a, b) =>
    b.action.completedAt!.localeCompare(a.action.completedAt!),
  )[0];
}

function Figure(props: {
  question: string;
  answer: string;
  detail: string;
  testId: string;
}) {
  return (
    <Grid item xs={12} sm={6} md={3}>
      <Paper variant="outlined" style={{ height: '100%' }}>
        <Box p={2}>
          <Typography variant="overline" component="p">
            {props.question}
          </Typography>
          <Typography variant="h6" component="p" data-testid={props.testId}>
            {props.answer}
          </Typography>
          <Typography variant="body2" color="textSecondary">
            {props.detail}
          </Typography>
        </Box>
      </Paper>
    </Grid>
  );
}

/**
 * The four questions an engineer brings to the tab, answered first: how often this breaks, whether the same failure
 * is coming back, what is being done about it, and whether the last fix worked; then the recurrence finding in one
 * sentence.
 */
export function LearningHeadline(props: { summary: EntityLearningSummary }) {
  const { summary } = props;
  const { recurrence } = summary;
  const worst = recurrence.findings[0];
  const fix = lastFix(recurrence.findings);
  const verdicts: Record<string, string> = {
    effective: 'It held',
    ineffective: 'It did not hold',
    pending: 'Too early to tell',
  };
  const ineffectiveFinding = recurrence.findings.find(f =>
    f.actions.some(a => a.effectiveness === 'ineffective'),
  );
  const ineffective = ineffectiveFinding?.actions.find(
    a => a.effectiveness === 'ineffective',
  );
  // the evidence: the latest occurrence of the failure the action was meant to stop
  const evidence = ineffectiveFinding?.occurrences.reduce<
    Finding['occurrences'][number] | undefined
  >((a, b) => (!a || b.startedAt > a.startedAt ? b : a), undefined);
  return (
    <Box mb={1} data-testid="learning-headline">
      <Grid container spacing={2}>
        <Figure
          question="How often does it break?"
          testId="headline-frequency"
          answer={`${summary.incidentCounts.last90Days.total} incident${
            summary.incidentCounts.last90Days.total === 1 ? '' : 's'
          } in 90 days`}
          detail={`${summary.incidentCounts.last365Days.total} in the last 365 days; game days and duplicates left out`}
        />
        <Figure
          question="Is the same failure coming back?"
          testId="headline-recurrence"
          answer={
            worst
              ? `Yes: ${worst.failureMode}, ${
                  worst.occurrencesInWindow ?? worst.occurrences.length
                } times`
              : 'No'
          }
          detail={
            worst
              ? `in the last ${recurrence.windowDays} days`
              : `no failure mode twice in the last ${recurrence.windowDays} days`
          }
        />
        <Figure
          question="What is being done?"
          testId="headline-actions"
          answer={`${summary.openActionCount} open action${
            summary.openActionCount === 1 ? '' : 's'
          }`}
          detail={
            summary.overdueActionCount
              ? `${summary.overdueActionCount} past due`
              : 'none past due'
          }
        />
        <Figure
          question="Did the last fix work?"
          testId="headline-fix"
          answer={
            fix
              ? verdicts[fix.action.effectiveness ?? 'pending'] ??
                'Too early to tell'
              : 'No fix to judge yet'
          }
          detail={
            fix
              ? `"${fix.action.title}", done ${formatDate(
                  fix.action.completedAt,
                )}, for ${fix.failureMode}`
              : 'no preventive action of a recurring failure is done'
          }
        />
      </Grid>
      <Typography
        variant="body1"
        style={{ marginTop: 12 }}
        data-testid="headline-finding"
      >
        {recurrence.reason}
        {ineffective && (
          <>
            {' '}
            The action that did not hold:{' '}
            <RecordLink kind="action" id={ineffective.id}>
              {ineffective.title}
            </RecordLink>
            {evidence && (
              <>
                ; the evidence:{' '}
                <RecordLink kind="incident" id={evidence.incidentId}>
                  {evidence.title}
                </RecordLink>{' '}
                on {formatDate(evidence.startedAt)}
              </>
            )}
            .
          </>
        )}
      </Typography>
    </Box>
  );
}
