// The syncer's configuration variables (the reference in docs/configuration.md is generated from them).
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { DnsLabel, NonEmptyString, PositiveInt } from '../../libs/config/codecs.js';
import { commonConfig, encryptionConfig, replicaConfig } from '../../libs/config/common.js';
import type { ConfigDecl } from '../../libs/config/config.js';
import { formatLabelSelector, parseLabelSelector, type LabelSelector } from '../../libs/kube-api/selectors.js';

/** A label selector in kubectl's syntax (`region=eu-central`, `region in (eu-central,eu-west)`); empty selects everything. */
export const LabelSelectorText = new t.Type<LabelSelector, string, unknown>(
  'a label selector (e.g. `region in (eu-central,eu-west)`; empty: every cluster)',
  (u): u is LabelSelector => Array.isArray(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c);
    const parsed = parseLabelSelector(u);
    return E.isRight(parsed) ? t.success(parsed.right) : t.failure(u, c, parsed.left);
  },
  formatLabelSelector,
);

export const syncerConfig = {
  ...commonConfig,
  ...replicaConfig,
  ...encryptionConfig,
  KFED_SYNCER_SELECTOR: {
    codec: LabelSelectorText, default: '',
    doc: 'Which member clusters this syncer may serve, by the labels of their Cluster objects (e.g. `region=eu-central` for a pool per region).',
  },
  KFED_SYNCER_POOL: {
    codec: DnsLabel, default: 'default',
    doc: 'Syncers of one pool split the clusters their selector picks; give each pool its own name and selectors that do not overlap.',
  },
  KFED_SYNCER_SHARDS: {
    codec: PositiveInt, default: '64',
    doc: 'Clusters are hashed into this many shards, each served by one syncer of the pool at a time. Every syncer of a pool must use the same value.',
  },
  KFED_SYNCER_LEASE_TTL_MS: {
    codec: PositiveInt, default: '5000',
    doc: 'Shard leases live this long unless renewed (every third of it): the clusters of a syncer that dies are taken over within about this long.',
  },
  KFED_SYNCER_CONCURRENCY: { codec: PositiveInt, default: '8', doc: 'Objects reconciled at once per member cluster (each cluster has its own queue).' },
  KFED_SYNCER_MAX_IN_FLIGHT: {
    codec: PositiveInt, default: '64',
    doc: 'Object reads and writes in flight at once across all the members a syncer serves (informers aside): bounds its sockets and memory, and the burst a rollout sends at members that share a host.',
  },
  KFED_SYNCER_MAX_LISTS_IN_FLIGHT: {
    codec: PositiveInt, default: '4',
    doc: 'Collection lists in flight at once across all the members a syncer serves (a member taken over is listed in full): bounds the memory that many large answers at once would take.',
  },
  KFED_SYNCER_RESYNC_MS: {
    codec: PositiveInt, default: '60000',
    doc: 'Every object placed on a served cluster is reconciled again this often, whatever the informers said (each cluster at its own moment of the period).',
  },
  KFED_SYNCER_REPORT_INTERVAL_MS: {
    codec: PositiveInt, default: '100',
    doc: 'Status reports of one cluster are coalesced for this long into one message (at most one report per object per interval).',
  },
  KFED_SYNCER_REPORT_RESEND_MS: {
    codec: PositiveInt, default: '30000',
    doc: 'Every report is sent again this often, so that an aggregator that missed some converges (each cluster at its own moment of the period).',
  },
  KFED_SYNCER_REQUEST_TIMEOUT_MS: { codec: PositiveInt, default: '10000', doc: 'A member request not answered within this counts as the member being unreachable.' },
  KFED_SYNCER_BACKOFF_MAX_MS: {
    codec: PositiveInt, default: '30000',
    doc: 'A member that cannot be reached is retried with doubling delays from 200 ms up to this; other members are not held up.',
  },
  KFED_CLIENT_ADDRESS: {
    codec: NonEmptyString, default: '127.0.0.1',
    doc: 'The syncer\'s own IPv4 address: members are reached at the Cluster\'s serverAddressByClientCIDRs entry with the longest clientCIDR containing it (0.0.0.0/0 is the fallback).',
  },
} satisfies ConfigDecl;
