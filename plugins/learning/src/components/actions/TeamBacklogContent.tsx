import { normalizeEntityRef } from '@learning-loop/plugin-learning-common';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Content } from '@backstage/core-components';
import { BacklogView } from './BacklogView';

/** A group's Learning tab: every action on entities the team owns, or assigned to the team. */
export function TeamBacklogContent() {
  const { entity } = useEntity();
  const team = normalizeEntityRef(entity);
  return (
    <Content noPadding>
      <BacklogView
        title={`Backlog of ${entity.metadata.title ?? entity.metadata.name}`}
        scope={{ team }}
        emptyText="No actions match these filters."
      />
    </Content>
  );
}
