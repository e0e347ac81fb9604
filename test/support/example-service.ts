// A tiny service run as a child process by the lifecycle tests: one unit of work of EXAMPLE_WORK_MS.
import { runtimeConfig } from '../../libs/config/common.js';
import { Bool, PositiveInt } from '../../libs/config/codecs.js';
import { createReconciler } from '../../libs/infra/lifecycle/reconciler.js';
import { runService } from '../../libs/infra/lifecycle/service.js';

runService({
  name: 'example',
  config: {
    ...runtimeConfig,
    EXAMPLE_WORK_MS: { codec: PositiveInt, default: '100', doc: 'How long the one unit of work takes.' },
    EXAMPLE_FAIL: { codec: Bool, default: 'false', doc: 'Whether the service fails on its own after the work.' },
  },
  start: async ({ config, logger }) => {
    let stopped: (err: Error | null) => void = () => undefined;
    const reconciler = createReconciler({
      name: 'example',
      concurrency: 1,
      logger,
      reconcile: async (item) => {
        logger.info({ item }, 'work started');
        await new Promise((resolve) => setTimeout(resolve, config.EXAMPLE_WORK_MS));
        logger.info({ item }, 'work finished');
        if (config.EXAMPLE_FAIL) stopped(new Error('lost the event log'));
        return 'done';
      },
    });
    reconciler.enqueue('job');
    return {
      stop: async () => {
        await reconciler.stop();
        stopped(null);
      },
      stopped: new Promise((resolve) => { stopped = resolve; }),
    };
  },
});
