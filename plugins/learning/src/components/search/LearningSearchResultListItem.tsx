import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItem from '@material-ui/core/ListItem';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import type {
  ResultHighlight,
  SearchDocument,
} from '@backstage/plugin-search-common';
import { HighlightedSearchResultText } from '@backstage/plugin-search-react';
import { DateTime } from 'luxon';

/** A Learning Loop search document, as the search module indexes it. */
export interface LearningSearchDocument extends SearchDocument {
  recordType: 'postmortem' | 'runbook' | 'incident';
  entityRefs: string[];
  date: string;
}

/** Whether a search result is a Learning Loop record. */
export function isLearningSearchResult(result: { type: string }): boolean {
  return result.type === 'learning';
}

function highlighted(
  field: 'title' | 'text',
  text: string,
  highlight?: ResultHighlight,
): ReactNode {
  const fragment = highlight?.fields?.[field];
  return fragment ? (
    <HighlightedSearchResultText
      text={fragment}
      preTag={highlight!.preTag}
      postTag={highlight!.postTag}
    />
  ) : (
    text
  );
}

/**
 * A published postmortem, a runbook or an incident in the search results: its title, kind, entities and date.
 *
 * @public
 */
export function LearningSearchResultListItem(props: {
  result?: SearchDocument;
  highlight?: ResultHighlight;
  rank?: number;
  icon?: ReactNode;
}) {
  const document = props.result as LearningSearchDocument | undefined;
  if (!document) return null;
  const kind = {
    postmortem: { label: 'Postmortem', date: 'Published' },
    runbook: { label: 'Runbook', date: 'Reviewed' },
    incident: { label: 'Incident', date: 'Started' },
  }[document.recordType] ?? { label: 'Learning', date: '' };
  const date = document.date ? DateTime.fromISO(document.date) : undefined;
  const snippet =
    document.text.length > 300
      ? `${document.text.slice(0, 300)}…`
      : document.text;
  return (
    <ListItem alignItems="flex-start">
      {props.icon && <ListItemIcon>{props.icon}</ListItemIcon>}
      <ListItemText
        primaryTypographyProps={{ variant: 'h6' }}
        primary={
          <Link to={document.location}>
            {highlighted('title', document.title, props.highlight)}
          </Link>
        }
        secondary={
          <>
            <Typography component="span" variant="body2" color="textSecondary">
              {highlighted('text', snippet, props.highlight)}
            </Typography>
            <Box
              component="span"
              display="flex"
              alignItems="center"
              flexWrap="wrap"
              mt={1}
            >
              <Chip component="span" size="small" label={kind.label} />
              <Box component="span" mx={1}>
                <EntityRefLinks
                  entityRefs={document.entityRefs}
                  defaultKind="component"
                />
              </Box>
              {date?.isValid && (
                <Typography component="span" variant="caption">
                  {kind.date}{' '}
                  <time dateTime={document.date}>
                    {date.toLocaleString(DateTime.DATE_MED)}
                  </time>
                </Typography>
              )}
            </Box>
          </>
        }
      />
    </ListItem>
  );
}
