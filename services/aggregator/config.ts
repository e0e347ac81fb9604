// The aggregator's configuration variables (the reference in docs/configuration.md is generated from them).
import { PositiveInt } from '../../libs/config/codecs.js';
import { commonConfig, replicaConfig } from '../../libs/config/common.js';
import type { ConfigDecl } from '../../libs/config/config.js';

export const aggregatorConfig = {
  ...commonConfig,
  ...replicaConfig,
  KFED_AGGREGATOR_COALESCE_MS: {
    codec: PositiveInt, default: '200',
    doc: 'Member reports are folded into federated status once per this interval: at most one StatusAggregated per object per interval, whatever the rate of reports.',
  },
  KFED_AGGREGATOR_SHARDS: {
    codec: PositiveInt, default: '32',
    doc: 'Objects are split into this many shards; each shard is aggregated by one replica at a time. Every replica must use the same value.',
  },
  KFED_AGGREGATOR_LEASE_TTL_MS: {
    codec: PositiveInt, default: '5000',
    doc: 'Shard leases live this long unless renewed (every third of it): a replica that dies hands its objects over after at most this long.',
  },
} satisfies ConfigDecl;
