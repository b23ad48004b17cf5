/**
 * Learning Loop backend module receiving PagerDuty v3 webhooks: the example of an incident source added through
 * `learningIncidentSourcesExtensionPoint`.
 *
 * @packageDocumentation
 */

export { learningModulePagerDuty as default } from './module';
export {
  createPagerDutySource,
  PAGERDUTY_SERVICE_ID_ANNOTATION,
} from './pagerDutySource';
