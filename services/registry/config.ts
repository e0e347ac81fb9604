// The registry's configuration variables (docs/registry.md shows them as a table).
import { PositiveInt, textCodec } from '../../libs/config/codecs.js';
import { commonConfig, encryptionConfig, replicaConfig } from '../../libs/config/common.js';
import type { ConfigDecl } from '../../libs/config/config.js';

const IPv4 = textCodec('an IPv4 address such as 10.1.2.3', (s) => {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) ? s : undefined;
});

export const registryConfig = {
  ...commonConfig,
  ...replicaConfig,
  KFED_REGISTRY_PERIOD_MS: {
    codec: PositiveInt, default: '10000',
    doc: 'Every member is probed once per period, at its own offset in it (annotation kfed.io/probe-period overrides it per cluster).',
  },
  KFED_REGISTRY_TIMEOUT_MS: {
    codec: PositiveInt, default: '3000',
    doc: 'A probe request without an answer after this long counts as unreachable (kfed.io/probe-timeout).',
  },
  KFED_REGISTRY_FAILURE_THRESHOLD: {
    codec: PositiveInt, default: '3',
    doc: 'Consecutive failed probes before a Ready member is reported not Ready or Offline (kfed.io/failure-threshold).',
  },
  KFED_REGISTRY_SUCCESS_THRESHOLD: {
    codec: PositiveInt, default: '1',
    doc: 'Consecutive healthy probes before a member that is not Ready is reported Ready (kfed.io/success-threshold).',
  },
  KFED_REGISTRY_NODES_EVERY: {
    codec: PositiveInt, default: '6',
    doc: 'Nodes and version (region, zones, capacity) are read on every this many-th probe, and on the probe where the health result changes.',
  },
  KFED_CLIENT_ADDRESS: {
    codec: IPv4, default: '127.0.0.1',
    doc: 'The registry\'s own IPv4 address: the Cluster\'s serverAddressByClientCIDRs entry with the longest clientCIDR containing it is probed (0.0.0.0/0 is the fallback).',
  },
  KFED_REGISTRY_SHARDS: {
    codec: PositiveInt, default: '32',
    doc: 'Clusters are split into this many shards by a hash of their name; each shard is probed by the replica holding its lease. Every replica must use the same value.',
  },
  KFED_REGISTRY_LEASE_TTL_MS: {
    codec: PositiveInt, default: '5000',
    doc: 'Shard leases live this long unless renewed (every third of it). The clusters of a replica that dies are probed again within 4/3 of this plus one period: keep it at most 3/4 of the period for a takeover within two periods.',
  },
  ...encryptionConfig,
} satisfies ConfigDecl;
