// The scheduler's configuration variables (docs/configuration.md lists them).
import { NonNegativeInt, PositiveInt } from '../../libs/config/codecs.js';
import { commonConfig, replicaConfig } from '../../libs/config/common.js';
import type { ConfigDecl } from '../../libs/config/config.js';

export const schedulerConfig = {
  ...commonConfig,
  ...replicaConfig,
  KFED_SCHEDULER_FAILOVER_DELAY_MS: {
    codec: NonNegativeInt, default: '60000',
    doc: 'A cluster that stops being Ready keeps its replicas planned this long before they are planned onto Ready clusters (Federation v1: 60 s). kfed evicts nothing from the lost cluster.',
  },
  KFED_SCHEDULER_RECOVERY_DELAY_MS: {
    codec: NonNegativeInt, default: '20000',
    doc: 'A cluster that lost its replicas by failover is planned again this long after it became Ready again (Federation v1: 20 s).',
  },
  KFED_SCHEDULER_SHARDS: {
    codec: PositiveInt, default: '32',
    doc: 'Objects are split into this many shards by a hash of their key; each shard is decided by one replica at a time. Every replica of a federation must use the same value.',
  },
  KFED_SCHEDULER_LEASE_TTL_MS: {
    codec: PositiveInt, default: '15000',
    doc: 'Shard leases live this long unless renewed (every third of it): a replica that crashes or loses Redis gives its shards up to the others after at most this long.',
  },
  KFED_SCHEDULER_CONCURRENCY: {
    codec: PositiveInt, default: '64',
    doc: 'How many objects one replica decides at once.',
  },
} satisfies ConfigDecl;
