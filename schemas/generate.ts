// Writes what is derived from declarations in the code: the JSON Schema of the event log
// (schemas/events/*.schema.json) and the configuration reference (docs/configuration.md, README).
// `npm run schemas` regenerates them; unit tests fail when they drift.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configurationDoc, withReadmeTable } from './configuration.js';
import { eventSchemaFiles } from './event-schemas.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
for (const [file, schema] of Object.entries(eventSchemaFiles())) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote schemas/${file}`);
}

const repo = join(root, '..');
writeFileSync(join(repo, 'docs', 'configuration.md'), configurationDoc());
console.log('wrote docs/configuration.md');
const readme = join(repo, 'README.md');
writeFileSync(readme, withReadmeTable(readFileSync(readme, 'utf8')));
console.log('wrote the configuration table of README.md');
