// The JSON Schema files of the event log, derived from the codecs (see generate.ts).
import { EventEnvelope } from '../libs/events/envelope.js';
import { eventData } from '../libs/events/types.js';
import { toJsonSchema, type JsonSchema, type SchemaOptions } from '../libs/events/json-schema.js';
import { MAX_COUNT } from '../libs/placement/preferences.js';

const id = (file: string): string => `https://kfed.io/schemas/${file}`;

const count = { type: 'integer', minimum: 0, maximum: MAX_COUNT };
const counts = { type: 'object', additionalProperties: count };

/** The planner's input is a closed custom codec (unknown fields are errors): its schema, by hand. */
const named: SchemaOptions = {
  refinements: {
    PlanInput: {
      type: 'object',
      required: ['preferences', 'totalReplicas', 'clusters', 'key'],
      additionalProperties: false,
      properties: {
        preferences: {
          type: 'object',
          required: ['clusters'],
          additionalProperties: false,
          properties: {
            rebalance: { type: 'boolean' },
            clusters: {
              type: 'object',
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                properties: { minReplicas: count, maxReplicas: { anyOf: [count, { type: 'null' }] }, weight: count },
              },
            },
          },
        },
        totalReplicas: count,
        clusters: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        key: { type: 'string' },
        current: counts,
        capacity: counts,
      },
    },
  },
};

export function eventSchemaFiles(): Record<string, JsonSchema> {
  const files: Record<string, JsonSchema> = {
    'events/envelope.schema.json': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: id('events/envelope.schema.json'),
      title: 'kfed log event envelope',
      ...toJsonSchema(EventEnvelope),
    },
  };
  for (const [type, codec] of Object.entries(eventData)) {
    files[`events/${type}.schema.json`] = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: id(`events/${type}.schema.json`),
      title: `${type} event payload (envelope field "data")`,
      ...toJsonSchema(codec, named),
    };
  }
  return files;
}
