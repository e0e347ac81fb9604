// The API server's configuration: environment variables with documented defaults.
import { Bool, NonEmptyString, OptionalPath, NonNegativeInt, Port, PositiveInt } from '../../libs/config/codecs.js';
import { commonConfig, encryptionConfig } from '../../libs/config/common.js';
import type { ConfigDecl } from '../../libs/config/config.js';

export const apiServerConfig = {
  ...commonConfig,
  ...encryptionConfig,
  KFED_API_HOST: { codec: NonEmptyString, default: '127.0.0.1', doc: 'Address the federation API listens on.' },
  KFED_API_PORT: { codec: Port, default: '8443', doc: 'Port of the federation API (0 picks a free one, logged at startup).' },
  KFED_API_INSECURE_HTTP: { codec: Bool, default: 'false', doc: 'Serve plain http instead of https (local experiments only: kubectl sends no tokens over http).' },
  KFED_API_TLS_DIR: { codec: NonEmptyString, default: '.kfed/tls', doc: 'Directory with ca.crt, tls.crt and tls.key; generated there (a new CA) when absent.' },
  KFED_API_TOKEN_FILE: { codec: OptionalPath, default: '', doc: 'Token file, one `token,user,role` per line (role admin or read-only). Unset: anonymous requests act as admin.' },
  KFED_API_BODY_LIMIT: { codec: PositiveInt, default: String(3 * 1024 * 1024), doc: 'Largest request body in bytes; larger ones get 413.' },
  KFED_API_WATCH_WINDOW: { codec: PositiveInt, default: '10000', doc: 'Recent changes kept for watches to resume from; older resourceVersions get 410 Expired.' },
  KFED_API_NATS_QUEUE: { codec: NonEmptyString, default: 'apiserver', doc: 'Queue group of the desired-state request subjects (replicas share the requests).' },
  KFED_API_CATCH_UP_MS: { codec: NonNegativeInt, default: '5000', doc: 'How long a write waits to see itself in the read model before answering 503.' },
} satisfies ConfigDecl;
