// The article's manifests as examples/ holds them, for tests that run them as users do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const examplesDir = join(import.meta.dirname, '..', '..', 'examples');

/** An example's text with its `${VARIABLE}`s filled in (unknown ones left empty). */
export const example = (name: string, vars: Record<string, string> = {}): string =>
  readFileSync(join(examplesDir, name), 'utf8').replace(/\$\{(\w+)\}/g, (_, v: string) => vars[v] ?? '');
