import { Content } from '@backstage/core-components';
import { BacklogView } from './BacklogView';

/** The signed-in user's backlog: actions owned by them or by one of their groups. */
export function MyActionsPage() {
  return (
    <Content>
      <BacklogView
        title="My actions"
        scope={{ mine: true }}
        emptyText="Nothing assigned to you or your teams matches these filters."
      />
    </Content>
  );
}
