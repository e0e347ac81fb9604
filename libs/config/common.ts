// The configuration variables every kfed service reads; a service spreads these into its own declaration.
import { textCodec, DnsLabel, LogLevel, NonEmptyString, Port, PositiveInt, url, urlList } from './codecs.js';
import type { ConfigDecl } from './config.js';

/** What runService itself needs: logging, the ops HTTP server and the shutdown grace period. */
export const runtimeConfig = {
  LOG_LEVEL: { codec: LogLevel, default: 'info', doc: 'Minimum level of the JSON log lines written to stdout.' },
  KFED_OPS_HOST: { codec: NonEmptyString, default: '127.0.0.1', doc: 'Address the ops HTTP server (/healthz, /readyz, /metrics) binds to.' },
  KFED_OPS_PORT: { codec: Port, default: '0', doc: 'Port of the ops HTTP server; 0 picks a free port (logged at startup).' },
  KFED_GRACE_MS: { codec: PositiveInt, default: '10000', doc: 'On SIGTERM/SIGINT, how long in-flight work may take to finish before the process exits with 1.' },
} satisfies ConfigDecl;

export const commonConfig = {
  KFED_FEDERATION: { codec: DnsLabel, default: 'kfed', doc: 'Federation id: every NATS subject and Redis key of this federation lives under it.' },
  NATS_URL: { codec: urlList(['nats', 'tls']), default: 'nats://127.0.0.1:4222', doc: 'NATS server(s) carrying change hints and request/reply.' },
  REDIS_URL: { codec: url(['redis', 'rediss']), default: 'redis://127.0.0.1:6379', doc: 'Redis holding the event log (the source of truth) and projections.' },
  ...runtimeConfig,
} satisfies ConfigDecl;

/** Services that split work by shard leases (registry, scheduler, syncer, aggregator) name their replica. */
export const replicaConfig = {
  KFED_REPLICA: {
    codec: textCodec('empty, or a name unique among the running replicas of the service', (s) => s),
    default: '',
    doc: 'This replica\'s name among the replicas of its service; empty: <hostname>-<random>. A replica restarted under the same name takes its shard leases back at once instead of waiting for them to expire (a supervisor that restarts a dead process gives it the same name; never give two running replicas one name).',
  },
} satisfies ConfigDecl;

/** The name this process holds shard leases under: KFED_REPLICA, else a fresh `<hostname>-<random>`. */
export const replicaName = (configured: string, host: string, random: string): string =>
  configured !== '' ? configured : `${host}-${random.slice(0, 8)}`;

const EncryptionKey = textCodec('32 bytes in base64 (e.g. `openssl rand -base64 32`)', (s) => (Buffer.from(s, 'base64').length === 32 ? s : undefined));

/** Services that read or write Secrets (API server, registry, syncer) share the sealing key. */
export const encryptionConfig = {
  KFED_ENCRYPTION_KEY: { codec: EncryptionKey, secret: true, doc: 'Key that seals Secret data in the log (AES-256-GCM). Every service that reads Secrets needs the same key.' },
} satisfies ConfigDecl;
