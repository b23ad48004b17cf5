import { useSearchParams } from 'react-router-dom';
import { Content } from '@backstage/core-components';
import { BacklogView } from './BacklogView';

/**
 * /learning/actions: every action the user may see, filtered from the URL (`team`, `overdue`, `entityRef`), so
 * "see all" links of the overview land on the list they summarise.
 */
export function ActionsListPage() {
  const [params] = useSearchParams();
  const team = params.get('team') ?? undefined;
  return (
    <Content>
      <BacklogView
        key={params.toString()}
        title="Actions across the organisation"
        scope={team ? { team } : {}}
        initial={{
          overdue: params.get('overdue') === 'true',
          entityRef: params.get('entityRef') ?? undefined,
        }}
        emptyText="No action matches these filters."
      />
    </Content>
  );
}
