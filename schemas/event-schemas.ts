// The JSON Schema files of the event log, derived from the codecs (see generate.ts).
import { EventEnvelope } from '../libs/events/envelope.js';
import { eventData } from '../libs/events/types.js';
import { toJsonSchema, type JsonSchema } from '../libs/events/json-schema.js';

const id = (file: string): string => `https://kfed.io/schemas/${file}`;

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
      ...toJsonSchema(codec),
    };
  }
  return files;
}
