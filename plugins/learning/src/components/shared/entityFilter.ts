import type { Entity } from '@backstage/catalog-model';

/** Kinds that get the Learning tab and summary card. */
export const learningEntityKinds = ['component', 'system', 'resource', 'api'];

/** Whether an entity shows Learning Loop content. */
export function isLearningEntity(entity: Entity): boolean {
  return learningEntityKinds.includes(entity.kind.toLocaleLowerCase('en-US'));
}

/** Whether an entity is a team, whose Learning tab is its backlog. */
export function isTeamEntity(entity: Entity): boolean {
  return entity.kind.toLocaleLowerCase('en-US') === 'group';
}
