// The committed JSON Schema files must be exactly what the codecs generate.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t_ from 'io-ts';
import { eventSchemaFiles } from '../../../schemas/event-schemas.js';
import { toJsonSchema } from '../../../libs/events/json-schema.js';

const root = join(import.meta.dirname, '..', '..', '..', 'schemas');

t.test('schemas/ matches the codecs (run `npm run schemas` after changing an event codec)', async (t) => {
  const expected = eventSchemaFiles();
  for (const [file, schema] of Object.entries(expected)) {
    const committed = JSON.parse(readFileSync(join(root, file), 'utf8')) as unknown;
    t.same(committed, schema, file);
  }
  const onDisk = readdirSync(join(root, 'events')).filter((f) => f.endsWith('.json')).map((f) => `events/${f}`);
  t.same(onDisk.sort(), Object.keys(expected).sort(), 'no stale schema files');
});

t.test('codec shapes map to JSON Schema', async (t) => {
  const codec = t_.type({
    s: t_.string, n: t_.number, b: t_.boolean, l: t_.literal('x'), k: t_.keyof({ A: null, B: null }),
    a: t_.array(t_.string), r: t_.record(t_.string, t_.number), u: t_.union([t_.string, t_.null]),
    p: t_.partial({ o: t_.string }), i: t_.Int,
  });
  t.same(toJsonSchema(codec, { refinements: { Int: { type: 'integer' } } }), {
    type: 'object',
    required: ['s', 'n', 'b', 'l', 'k', 'a', 'r', 'u', 'p', 'i'],
    properties: {
      s: { type: 'string' }, n: { type: 'number' }, b: { type: 'boolean' }, l: { const: 'x' }, k: { enum: ['A', 'B'] },
      a: { type: 'array', items: { type: 'string' } }, r: { type: 'object', additionalProperties: { type: 'number' } },
      u: { anyOf: [{ type: 'string' }, { type: 'null' }] }, p: { type: 'object', properties: { o: { type: 'string' } } },
      i: { type: 'integer' },
    },
  });
  t.throws(() => toJsonSchema(t_.void as unknown as t_.Mixed), /no JSON Schema mapping/);
});
