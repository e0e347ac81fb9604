// membersim: simulated member clusters speaking the Kubernetes API, configured from the environment.
import * as E from 'fp-ts/lib/Either.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { compileClusters, parseClusterList } from './cluster-spec.js';
import { membersimConfig } from './config.js';
import { start } from './simulator.js';

runService({
  name: 'membersim',
  config: membersimConfig,
  start: ({ config, logger }) => start({
    clusters: compileClusters(E.getOrElseW(() => [])(parseClusterList(config.KFED_SIM_CLUSTERS)), {
      nodes: config.KFED_SIM_NODES,
      podsPerNode: config.KFED_SIM_PODS_PER_NODE,
      podReadyDelayMs: config.KFED_SIM_POD_READY_DELAY_MS,
      basePort: config.KFED_SIM_BASE_PORT,
    }),
    logger,
    host: config.KFED_SIM_HOST,
    adminPort: config.KFED_SIM_ADMIN_PORT,
    ...(config.KFED_SIM_KUBECONFIG === '' ? {} : { kubeconfigPath: config.KFED_SIM_KUBECONFIG }),
    ...(config.KFED_SIM_STATE === '' ? {} : { statePath: config.KFED_SIM_STATE }),
  }),
});
