import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { learningPlugin } from './plugin';

describe('scheduled work', () => {
  it('runs reminders and the effectiveness sweep in global scope, so several replicas run each once per interval', async () => {
    const scheduler = mockServices.scheduler.mock();
    await startTestBackend({
      features: [
        learningPlugin,
        scheduler.factory,
        catalogServiceMock.factory({ entities: [] }),
      ],
    });
    const tasks = scheduler.scheduleTask.mock.calls.map(([task]) => ({
      id: task.id,
      scope: task.scope,
    }));
    expect(tasks).toEqual(
      expect.arrayContaining([
        { id: 'learning-reminders', scope: 'global' },
        { id: 'learning-effectiveness-sweep', scope: 'global' },
      ]),
    );
  });
});
