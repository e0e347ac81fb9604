// Kubernetes protobuf request bodies for the few kinds kubectl's generators send that way (create namespace/secret/configmap).
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { formatTimestamp } from './object.js';

/**
 * kubectl sends `application/vnd.kubernetes.protobuf` bodies from its typed clients (`kubectl create namespace`,
 * `create secret generic`, `create configmap`, `create deployment`, `create service`), with no fallback to JSON.
 * The body is the `k8s\0` magic and a runtime.Unknown envelope around the typed message. The schemas below
 * cover what those generators set. Go writes every non-pointer field, zero or not; a field the schema does not
 * know is accepted only while it holds a zero value (as JSON's omitempty would have left it out), and is an
 * error otherwise rather than silently dropped.
 */
type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intOrString';
type Field =
  | { readonly name: string; readonly type: Scalar; readonly repeated?: boolean }
  | { readonly name: string; readonly type: 'message'; readonly message: Message; readonly repeated?: boolean }
  | { readonly name: string; readonly type: 'map'; readonly value: 'string' | 'bytes' };
interface Message { readonly [field: number]: Field }

const ownerReference: Message = {
  1: { name: 'kind', type: 'string' }, 3: { name: 'name', type: 'string' }, 4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' }, 6: { name: 'controller', type: 'bool' }, 7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const objectMeta: Message = {
  1: { name: 'name', type: 'string' }, 2: { name: 'generateName', type: 'string' }, 3: { name: 'namespace', type: 'string' },
  4: { name: 'selfLink', type: 'string' }, 5: { name: 'uid', type: 'string' }, 6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' }, 8: { name: 'creationTimestamp', type: 'time' }, 9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int' }, 11: { name: 'labels', type: 'map', value: 'string' },
  12: { name: 'annotations', type: 'map', value: 'string' }, 13: { name: 'ownerReferences', type: 'message', message: ownerReference, repeated: true },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

const labelSelector: Message = {
  1: { name: 'matchLabels', type: 'map', value: 'string' },
  2: {
    name: 'matchExpressions', type: 'message', repeated: true,
    message: { 1: { name: 'key', type: 'string' }, 2: { name: 'operator', type: 'string' }, 3: { name: 'values', type: 'string', repeated: true } },
  },
};

const container: Message = {
  1: { name: 'name', type: 'string' }, 2: { name: 'image', type: 'string' }, 3: { name: 'command', type: 'string', repeated: true },
  4: { name: 'args', type: 'string', repeated: true }, 5: { name: 'workingDir', type: 'string' },
  6: {
    name: 'ports', type: 'message', repeated: true,
    message: {
      1: { name: 'name', type: 'string' }, 2: { name: 'hostPort', type: 'int' }, 3: { name: 'containerPort', type: 'int' },
      4: { name: 'protocol', type: 'string' }, 5: { name: 'hostIP', type: 'string' },
    },
  },
  7: { name: 'env', type: 'message', repeated: true, message: { 1: { name: 'name', type: 'string' }, 2: { name: 'value', type: 'string' } } },
  13: { name: 'terminationMessagePath', type: 'string' }, 14: { name: 'imagePullPolicy', type: 'string' },
  20: { name: 'terminationMessagePolicy', type: 'string' },
};

const podTemplateSpec: Message = {
  1: { name: 'metadata', type: 'message', message: objectMeta },
  2: {
    name: 'spec', type: 'message',
    message: {
      2: { name: 'containers', type: 'message', message: container, repeated: true }, 3: { name: 'restartPolicy', type: 'string' },
      4: { name: 'terminationGracePeriodSeconds', type: 'int' }, 6: { name: 'dnsPolicy', type: 'string' },
      7: { name: 'nodeSelector', type: 'map', value: 'string' }, 8: { name: 'serviceAccountName', type: 'string' },
      19: { name: 'schedulerName', type: 'string' }, 20: { name: 'initContainers', type: 'message', message: container, repeated: true },
    },
  },
};

const kinds: Readonly<Record<string, Message>> = {
  'v1/Namespace': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
    3: { name: 'status', type: 'message', message: { 1: { name: 'phase', type: 'string' } } },
  },
  'v1/Secret': {
    1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'data', type: 'map', value: 'bytes' },
    3: { name: 'type', type: 'string' }, 4: { name: 'stringData', type: 'map', value: 'string' }, 5: { name: 'immutable', type: 'bool' },
  },
  'v1/ConfigMap': {
    1: { name: 'metadata', type: 'message', message: objectMeta }, 2: { name: 'data', type: 'map', value: 'string' },
    3: { name: 'binaryData', type: 'map', value: 'bytes' }, 4: { name: 'immutable', type: 'bool' },
  },
  'v1/Service': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec', type: 'message',
      message: {
        1: {
          name: 'ports', type: 'message', repeated: true,
          message: {
            1: { name: 'name', type: 'string' }, 2: { name: 'protocol', type: 'string' }, 3: { name: 'port', type: 'int' },
            4: { name: 'targetPort', type: 'intOrString' }, 5: { name: 'nodePort', type: 'int' },
          },
        },
        2: { name: 'selector', type: 'map', value: 'string' }, 3: { name: 'clusterIP', type: 'string' }, 4: { name: 'type', type: 'string' },
        5: { name: 'externalIPs', type: 'string', repeated: true }, 10: { name: 'externalName', type: 'string' },
      },
    },
  },
  'apps/v1/Deployment': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec', type: 'message',
      message: {
        1: { name: 'replicas', type: 'int' }, 2: { name: 'selector', type: 'message', message: labelSelector },
        3: { name: 'template', type: 'message', message: podTemplateSpec },
        4: { name: 'strategy', type: 'message', message: { 1: { name: 'type', type: 'string' } } },
        5: { name: 'minReadySeconds', type: 'int' }, 6: { name: 'revisionHistoryLimit', type: 'int' },
        7: { name: 'paused', type: 'bool' }, 9: { name: 'progressDeadlineSeconds', type: 'int' },
      },
    },
  },
};

const typeMeta: Message = { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } };

const timeMessage: Message = { 1: { name: 'seconds', type: 'int' }, 2: { name: 'nanos', type: 'int' } };
/** intstr.IntOrString: type 0 is the int, type 1 the string. */
const intOrStringMessage: Message = { 1: { name: 'type', type: 'int' }, 2: { name: 'intVal', type: 'int' }, 3: { name: 'strVal', type: 'string' } };
const mapEntry = (value: 'string' | 'bytes'): Message => ({ 1: { name: 'key', type: 'string' }, 2: { name: 'value', type: value } });

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.buf[this.pos++];
      if (b === undefined || shift > 63n) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
  }
  bytes(): Uint8Array {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

const toInt = (v: bigint): number => Number(BigInt.asIntN(64, v));
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function scalar(type: Scalar, r: Reader, wireType: number): unknown {
  if (type === 'int') return toInt(r.varint());
  if (type === 'bool') return r.varint() !== 0n;
  if (wireType !== 2) throw new Error(`expected a length-delimited ${type}`);
  const b = r.bytes();
  if (type === 'string') return text(b);
  if (type === 'bytes') return Buffer.from(b).toString('base64');
  if (type === 'intOrString') {
    const v = decodeMessage(b, intOrStringMessage);
    return v['type'] === 1 ? v['strVal'] ?? '' : v['intVal'] ?? 0;
  }
  const t = decodeMessage(b, timeMessage);
  return formatTimestamp(new Date(Number(t['seconds'] ?? 0) * 1000));
}

/** Decoded as Go's JSON encoding of the same object: zero values left out, as `omitempty` does. */
function decodeMessage(buf: Uint8Array, schema: Message, path = ''): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const num = tag >>> 3;
    const wireType = tag & 7;
    const f = schema[num];
    if (f === undefined) {
      const start = r.pos;
      r.skip(wireType);
      if (!zeroValue(buf.subarray(start, r.pos), wireType)) throw new Error(`unsupported field ${path}${path === '' ? '' : '.'}#${num}`);
      continue;
    }
    const at = path === '' ? f.name : `${path}.${f.name}`;
    let value: unknown;
    if (f.type === 'map') {
      const e = decodeMessage(r.bytes(), mapEntry(f.value), at);
      const m = (out[f.name] ??= {}) as Record<string, unknown>;
      m[String(e['key'] ?? '')] = e['value'] ?? '';
      continue;
    }
    if (f.type === 'message') value = decodeMessage(r.bytes(), f.message, at);
    else if (f.repeated && f.type !== 'string' && f.type !== 'bytes' && wireType === 2) {
      // packed repeated scalars
      const inner = new Reader(r.bytes());
      const items: unknown[] = [];
      while (!inner.done) items.push(scalar(f.type, inner, 0));
      out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), ...items];
      continue;
    } else value = scalar(f.type, r, wireType);
    if (f.repeated) out[f.name] = [...((out[f.name] as unknown[] | undefined) ?? []), value];
    else if (!isZero(value)) out[f.name] = value;
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || (typeof v === 'object' && v !== null && Object.keys(v).length === 0) || v === formatTimestamp(new Date(0));
}

/** Whether an encoded field value is a zero: 0, false, an empty string, or a message of zeros only. */
function zeroValue(encoded: Uint8Array, wireType: number): boolean {
  const r = new Reader(encoded);
  try {
    if (wireType === 0) return r.varint() === 0n;
    if (wireType === 1 || wireType === 5) return encoded.every((b) => b === 0);
    if (wireType !== 2) return false;
    const inner = new Reader(r.bytes());
    while (!inner.done) {
      const tag = Number(inner.varint());
      const start = inner.pos;
      inner.skip(tag & 7);
      if (!zeroValue(inner.buf.subarray(start, inner.pos), tag & 7)) return false;
    }
    return true;
  } catch {
    return false; // not a message: a non-empty string or bytes
  }
}

const magic = [0x6b, 0x38, 0x73, 0x00];

export type ProtobufError = { readonly _tag: 'UnsupportedKind'; readonly kind: string } | { readonly _tag: 'Malformed'; readonly message: string };

/** A protobuf-encoded object as the JSON object it stands for. */
export function decodeProtobufObject(body: Uint8Array): Either<ProtobufError, Record<string, unknown>> {
  if (!magic.every((b, i) => body[i] === b)) return left({ _tag: 'Malformed', message: 'missing the k8s protobuf prefix' });
  try {
    // runtime.Unknown: 1 typeMeta, 2 raw (the typed message), 3 contentEncoding, 4 contentType.
    const r = new Reader(body.subarray(magic.length));
    let meta: Record<string, unknown> = {};
    let raw: Uint8Array = new Uint8Array();
    while (!r.done) {
      const tag = Number(r.varint());
      if (tag === ((1 << 3) | 2)) meta = decodeMessage(r.bytes(), typeMeta);
      else if (tag === ((2 << 3) | 2)) raw = r.bytes();
      else r.skip(tag & 7);
    }
    const apiVersion = String(meta['apiVersion'] ?? '');
    const kind = String(meta['kind'] ?? '');
    const schema = kinds[`${apiVersion}/${kind}`];
    if (schema === undefined) return left({ _tag: 'UnsupportedKind', kind: `${apiVersion}/${kind}` });
    return right({ apiVersion, kind, ...decodeMessage(raw, schema) });
  } catch (e) {
    return left({ _tag: 'Malformed', message: e instanceof Error ? e.message : String(e) });
  }
}
