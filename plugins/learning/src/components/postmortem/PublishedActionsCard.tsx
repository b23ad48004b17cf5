import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { learningApiRef } from '../../api';
import { ActionSummaryList } from '../actions/ActionSummaryList';

/** The action items a review produced, as readers of the published review see them (its Markdown lists them too). */
export function PublishedActionsCard(props: {
  postmortemId: string;
  noActionReason?: string;
}) {
  const api = useApi(learningApiRef);
  const { value, loading, error } = useAsync(
    () =>
      api.listActions({
        postmortemId: props.postmortemId,
        limit: 100,
        orderBy: 'createdAt',
        order: 'asc',
      }),
    [api, props.postmortemId],
  );
  return (
    <InfoCard
      title={`Action items${value ? ` (${value.totalCount})` : ''}`}
      subheader="What this review changed"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <ActionSummaryList
          actions={value.items}
          empty={
            props.noActionReason
              ? `No action needed: ${props.noActionReason}`
              : 'No action items.'
          }
        />
      )}
    </InfoCard>
  );
}
