// Writes the JSON Schema of the event log (schemas/events/*.schema.json) from the io-ts codecs.
// `npm run schemas` regenerates them; test/unit/events/schemas.test.ts fails when they drift.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventSchemaFiles } from './event-schemas.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
for (const [file, schema] of Object.entries(eventSchemaFiles())) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote schemas/${file}`);
}
