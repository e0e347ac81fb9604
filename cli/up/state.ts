// The files of a local federation (`kfed up`): encryption key, admin token, API certificate, logs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../../libs/infra/crypto/seal.js';

export interface FederationFiles {
  readonly dir: string;
  readonly logDir: string;
  readonly dataDir: string;
  readonly tlsDir: string;
  readonly tokenFile: string;
  readonly encryptionKey: string;
  readonly adminToken: string;
}

function keep(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, value + '\n', { mode: 0o600 });
  return value;
}

/**
 * Created on the first `kfed up` and reused afterwards, so that a restarted federation reads the
 * log it wrote (same key) and kubeconfigs stay valid (same CA and token).
 */
export function federationFiles(dir: string): FederationFiles {
  const logDir = join(dir, 'logs');
  const dataDir = join(dir, 'data');
  for (const d of [dir, logDir, dataDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const encryptionKey = keep(join(dir, 'encryption.key'), generateKey);
  const adminToken = keep(join(dir, 'admin.token'), () => randomBytes(24).toString('hex'));
  const tokenFile = join(dir, 'tokens');
  writeFileSync(tokenFile, `# token,user,role\n${adminToken},admin,admin\n`, { mode: 0o600 });
  return { dir, logDir, dataDir, tlsDir: join(dir, 'tls'), tokenFile, encryptionKey, adminToken };
}
