import t from 'tap';
import { decodeProtobufObject } from '../../../libs/kube-api/protobuf.js';

// A tiny protobuf writer, enough to build what kubectl's typed clients send.
const varint = (n: number): number[] => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
};
const bytesField = (num: number, b: Uint8Array | number[]): number[] => [...varint((num << 3) | 2), ...varint(b.length), ...b];
const str = (num: number, s: string): number[] => bytesField(num, [...new TextEncoder().encode(s)]);
const int = (num: number, n: number): number[] => [...varint(num << 3), ...varint(n)];
const entry = (num: number, k: string, v: number[]): number[] => bytesField(num, [...str(1, k), ...bytesField(2, v)]);
const envelope = (apiVersion: string, kind: string, raw: number[]): Uint8Array =>
  new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...bytesField(1, [...str(1, apiVersion), ...str(2, kind)]), ...bytesField(2, raw), ...str(3, ''), ...str(4, '')]);

// Go's proto encoding writes empty strings and zero timestamps for non-pointer fields; JSON leaves them out.
const meta = (name: string): number[] => bytesField(1, [
  ...str(1, name), ...str(2, ''), ...str(3, ''), ...str(5, ''), ...str(6, ''), ...int(7, 0), ...bytesField(8, []),
  ...entry(11, 'app', [...new TextEncoder().encode('web')]),
]);

t.test('a Secret as kubectl create secret generic sends it', async (t) => {
  const raw = [...meta('creds'), ...entry(2, 'token', [0xde, 0xad]), ...str(3, 'Opaque')];
  t.same(decodeProtobufObject(envelope('v1', 'Secret', raw)), {
    _tag: 'Right',
    right: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', labels: { app: 'web' } }, data: { token: '3q0=' }, type: 'Opaque' },
  });
});

t.test('Namespace and ConfigMap', async (t) => {
  t.match(decodeProtobufObject(envelope('v1', 'Namespace', [...meta('team'), ...bytesField(2, []), ...bytesField(3, [])])),
    { _tag: 'Right', right: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  t.match(decodeProtobufObject(envelope('v1', 'ConfigMap', [...meta('cm'), ...entry(2, 'k', [...new TextEncoder().encode('v')])])),
    { _tag: 'Right', right: { data: { k: 'v' } } });
});

t.test('a Deployment as kubectl create deployment sends it; unknown fields holding zeros are dropped', async (t) => {
  const container = [...str(1, 'nginx'), ...str(2, 'nginx:1.25'), ...str(5, ''), ...bytesField(8, []), ...int(16, 0), ...bytesField(15, [...str(1, ''), ...int(2, 0)])];
  const spec = [
    ...int(1, 3),
    ...bytesField(2, entry(1, 'app', [...new TextEncoder().encode('x')])),
    ...bytesField(3, [...meta('').slice(0), ...bytesField(2, [...bytesField(2, container), ...int(11, 0)])]),
    ...bytesField(4, str(1, '')),
  ];
  t.same(decodeProtobufObject(envelope('apps/v1', 'Deployment', [...meta('x'), ...bytesField(2, spec), ...bytesField(3, [])])), {
    _tag: 'Right',
    right: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { app: 'web' } },
      spec: {
        replicas: 3, selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    },
  });
});

t.test('Service ports with named and numbered target ports', async (t) => {
  const port = (target: number[]) => bytesField(1, [...str(2, 'TCP'), ...int(3, 80), ...bytesField(4, target)]);
  const spec = [...port([...int(1, 0), ...int(2, 8080)]), ...port([...int(1, 1), ...str(3, 'http')]), ...str(4, 'ClusterIP')];
  t.match(decodeProtobufObject(envelope('v1', 'Service', [...meta('svc'), ...bytesField(2, spec)])), {
    _tag: 'Right', right: { spec: { ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }, { port: 80, targetPort: 'http' }], type: 'ClusterIP' } },
  });
});

t.test('kinds without a schema and malformed bodies are errors', async (t) => {
  t.match(decodeProtobufObject(envelope('batch/v1', 'Job', meta('x'))), { _tag: 'Left', left: { _tag: 'UnsupportedKind', kind: 'batch/v1/Job' } });
  t.match(decodeProtobufObject(new Uint8Array([1, 2, 3])), { _tag: 'Left', left: { _tag: 'Malformed' } });
  t.match(decodeProtobufObject(envelope('v1', 'Secret', [...meta('x'), ...str(99, 'new field')])),
    { _tag: 'Left', left: { _tag: 'Malformed', message: /unsupported field #99/ } });
  t.match(decodeProtobufObject(envelope('v1', 'Secret', [0x0a, 0x50])), { _tag: 'Left', left: { _tag: 'Malformed' } });
});
