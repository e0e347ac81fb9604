// Kubeconfig files on disk: read and decode, and merge entries in without clobbering what others wrote (atomic replace).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { parse, stringify } from 'yaml';
import { Kubeconfig, mergeKubeconfig, type KubeconfigEntries } from '../../kubeconfig/kubeconfig.js';

/** The file kubectl uses: the first path of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: Readonly<Record<string, string | undefined>>): string {
  const first = (env['KUBECONFIG'] ?? '').split(':').find((p) => p !== '');
  return first ?? join(homedir(), '.kube', 'config');
}

/** The decoded file; a missing file reads as an empty kubeconfig. */
export async function readKubeconfig(path: string): Promise<E.Either<string, Kubeconfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return E.right({});
    return E.left(`cannot read ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text) ?? {};
  } catch (e) {
    return E.left(`${path} is not valid YAML: ${(e as Error).message}`);
  }
  const decoded = Kubeconfig.decode(parsed);
  return E.isLeft(decoded) ? E.left(`${path} is not a kubeconfig: ${PathReporter.report(decoded).join('; ')}`) : E.right(decoded.right);
}

/** Merges `entries` into the file (created if missing, mode 0600: it holds credentials); other entries stay. */
export async function mergeIntoKubeconfigFile(path: string, entries: KubeconfigEntries): Promise<E.Either<string, void>> {
  const current = await readKubeconfig(path);
  if (E.isLeft(current)) return current;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, stringify(mergeKubeconfig(current.right, entries)), { mode: 0o600 });
  await rename(tmp, path);
  return E.right(undefined);
}
