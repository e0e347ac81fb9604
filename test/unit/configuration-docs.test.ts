// The configuration reference and the README's table are exactly what the declarations generate.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationDoc, withReadmeTable } from '../../schemas/configuration.js';

const repo = join(import.meta.dirname, '..', '..');

t.test('docs/configuration.md is up to date (run `npm run schemas`)', async (t) => {
  t.equal(readFileSync(join(repo, 'docs', 'configuration.md'), 'utf8'), configurationDoc());
});

t.test('the README configuration table is up to date (run `npm run schemas`)', async (t) => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  t.equal(readme, withReadmeTable(readme));
  t.match(readme, /`KFED_FEDERATION`/);
});
