/**
 * A stand-in for GitHub's issues API and webhooks, for tests of a Learning Loop backend and for its demo.
 *
 * @packageDocumentation
 */
export {
  FakeGitHub,
  type FakeGitHubIssue,
  type FakeGitHubChange,
} from './fakeGitHub';
