/**
 * Types, schemas, permissions and pure functions shared by the Learning Loop frontend and backend.
 *
 * @packageDocumentation
 */
export * from './vocabulary';
export * from './records';
export * from './schemas';
export * from './querySchemas';
export * from './permissions';
export * from './time';
export * from './actions';
export * from './incidents';
export * from './recurrence';
export * from './policy';
export * from './blameless';
export * from './postmortems';
export * from './postmortemMarkdown';
export * from './metrics';
export * from './reviews';
export * from './gate';
export * from './entityRefs';
export * from './constants';
export * from './overview';
export * from './compare';
export * from './deployments';
export * from './plainText';
export * from './related';
