// A serving certificate kept in a directory (ca.crt, tls.crt, tls.key), created there on first use,
// so that restarts and replicas present the certificate that kubeconfigs already trust.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority } from './certificates.js';

export interface ServingFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Whether this call created them. */
  readonly created: boolean;
}

export function loadOrCreateServingFiles(dir: string, hosts: readonly string[], now: Date): ServingFiles {
  const paths = { ca: join(dir, 'ca.crt'), cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) {
    return { ca: readFileSync(paths.ca, 'utf8'), cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8'), created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const authority = createCertificateAuthority({ commonName: 'kfed-federation-ca', now });
  const serving = authority.issue({ hosts, commonName: 'kfed-apiserver', now });
  writeFileSync(paths.ca, authority.cert, { mode: 0o644 });
  writeFileSync(paths.cert, serving.cert, { mode: 0o644 });
  writeFileSync(paths.key, serving.key, { mode: 0o600 });
  return { ca: authority.cert, cert: serving.cert, key: serving.key, created: true };
}
