// The simulator's configuration variables.
import * as E from 'fp-ts/lib/Either.js';
import { runtimeConfig } from '../../libs/config/common.js';
import { NonEmptyString, NonNegativeInt, OptionalPath, Port, textCodec } from '../../libs/config/codecs.js';
import type { ConfigDecl } from '../../libs/config/config.js';
import { parseClusterList } from './cluster-spec.js';

export const membersimConfig = {
  ...runtimeConfig,
  KFED_SIM_CLUSTERS: {
    codec: textCodec('a cluster list: `berlin,new-york:nodes=2:podsPerNode=3` or JSON `[{"name":"berlin","region":"eu-central"}]`',
      (s) => (E.isRight(parseClusterList(s)) ? s : undefined)),
    default: 'san-francisco,new-york,berlin',
    doc: 'The simulated clusters. Per cluster (compact `name:key=value...` or JSON): region (default from a table of cities, else the name), zones (`/`-separated; default <region>-a/b/c), nodes, podsPerNode, podReadyDelayMs, port.',
  },
  KFED_SIM_NODES: { codec: NonNegativeInt, default: '3', doc: 'Nodes per cluster unless the cluster says otherwise.' },
  KFED_SIM_PODS_PER_NODE: { codec: NonNegativeInt, default: '110', doc: 'Pod capacity per node; pods that fit nowhere stay Pending (Unschedulable).' },
  KFED_SIM_POD_READY_DELAY_MS: { codec: NonNegativeInt, default: '1000', doc: 'How long a scheduled pod takes to turn Running and Ready.' },
  KFED_SIM_HOST: { codec: NonEmptyString, default: '127.0.0.1', doc: 'Address the cluster APIs and the admin endpoint listen on.' },
  KFED_SIM_BASE_PORT: { codec: Port, default: '0', doc: 'Cluster i listens on BASE+i (unless it names a port); 0: any free port.' },
  KFED_SIM_ADMIN_PORT: { codec: Port, default: '0', doc: 'Port of the admin endpoint (faults); 0: any free port. The kubeconfig extension names it.' },
  KFED_SIM_KUBECONFIG: { codec: OptionalPath, default: '', doc: 'Kubeconfig file to merge one context per cluster into (other contexts are kept); empty: none.' },
  KFED_SIM_STATE: { codec: OptionalPath, default: '', doc: 'JSON file to write the admin endpoint and cluster servers to once started; empty: none.' },
} satisfies ConfigDecl;
