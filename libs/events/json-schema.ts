// Derives JSON Schema (draft 2020-12) from io-ts codecs, so the published schemas of the log
// cannot say something other than the codecs that decode it.
import type * as t from 'io-ts';

export type JsonSchema = { readonly [k: string]: unknown };

type AnyCodec = t.Mixed & { readonly _tag?: string };

/** Codecs io-ts cannot describe structurally (refinements, branded types, custom t.Type codecs) may name their schema here. */
export interface SchemaOptions {
  readonly refinements?: Readonly<Record<string, JsonSchema>>;
}

export function toJsonSchema(codec: t.Mixed, options: SchemaOptions = {}): JsonSchema {
  const c = codec as AnyCodec & Record<string, unknown>;
  switch (c._tag) {
    case 'StringType': return { type: 'string' };
    case 'NumberType': return { type: 'number' };
    case 'BooleanType': return { type: 'boolean' };
    case 'NullType': return { type: 'null' };
    case 'UnknownType': return {};
    case 'AnyDictionaryType': return { type: 'object' };
    case 'AnyArrayType': return { type: 'array' };
    case 'LiteralType': return { const: c.value };
    case 'KeyofType': return { enum: Object.keys(c.keys as object) };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: toJsonSchema(c.type as t.Mixed, options) };
    case 'DictionaryType':
      return { type: 'object', additionalProperties: toJsonSchema(c.codomain as t.Mixed, options) };
    case 'InterfaceType':
    case 'StrictType': {
      const props = c.props as Record<string, t.Mixed>;
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toJsonSchema(v, options)])),
        required: Object.keys(props),
      };
    }
    case 'PartialType': {
      const props = c.props as Record<string, t.Mixed>;
      return { type: 'object', properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toJsonSchema(v, options)])) };
    }
    case 'ExactType':
    case 'ReadonlyType':
      return toJsonSchema(c.type as t.Mixed, options);
    case 'RefinementType': {
      const named = options.refinements?.[c.name as string];
      return named ?? toJsonSchema(c.type as t.Mixed, options);
    }
    case 'UnionType':
      return { anyOf: (c.types as t.Mixed[]).map((x) => toJsonSchema(x, options)) };
    case 'IntersectionType':
      return { allOf: (c.types as t.Mixed[]).map((x) => toJsonSchema(x, options)) };
    case 'TupleType':
      return { type: 'array', prefixItems: (c.types as t.Mixed[]).map((x) => toJsonSchema(x, options)), items: false };
    case 'RecursiveType':
      return toJsonSchema(c.type as t.Mixed, options);
    default: {
      const named = options.refinements?.[c.name as string];
      if (named !== undefined) return named;
      throw new Error(`no JSON Schema mapping for io-ts codec ${String(c._tag ?? c.name)}`);
    }
  }
}
