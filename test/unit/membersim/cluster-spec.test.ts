// Cluster specs: compact and JSON forms, defaults (regions of the walkthrough's cities, zones, ports), errors.
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import { compileClusters, parseClusterList } from '../../../services/membersim/cluster-spec.js';

const defaults = { nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, basePort: 0 };
const compile = (text: string, d = defaults) => E.map((c: Parameters<typeof compileClusters>[0]) => compileClusters(c, d))(parseClusterList(text));

t.test('defaults: regions from the city table or the name, zones <region>-a/b/c', async (t) => {
  t.same(compile('san-francisco,new-york,berlin,mars'), E.right([
    { name: 'san-francisco', region: 'us-west', zones: ['us-west-a', 'us-west-b', 'us-west-c'], nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, port: 0 },
    { name: 'new-york', region: 'us-east', zones: ['us-east-a', 'us-east-b', 'us-east-c'], nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, port: 0 },
    { name: 'berlin', region: 'eu-central', zones: ['eu-central-a', 'eu-central-b', 'eu-central-c'], nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, port: 0 },
    { name: 'mars', region: 'mars', zones: ['mars-a', 'mars-b', 'mars-c'], nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, port: 0 },
  ]));
});

t.test('compact options, JSON array and JSON object forms agree', async (t) => {
  const want = [
    { name: 'berlin', region: 'eu-central', zones: ['eu-central-a', 'eu-central-b', 'eu-central-c'], nodes: 2, podsPerNode: 3, podReadyDelayMs: 50, port: 7001 },
    { name: 'tokyo', region: 'ap', zones: ['ap-1', 'ap-2'], nodes: 3, podsPerNode: 110, podReadyDelayMs: 1000, port: 7002 },
  ];
  const d = { ...defaults, basePort: 7000 };
  t.same(compile(' berlin:nodes=2:podsPerNode=3:podReadyDelayMs=50:port=7001 , tokyo:region=ap:zones=ap-1/ap-2 ', { ...d, basePort: 7001 }), E.right(want));
  t.same(compile('[{"name":"berlin","nodes":2,"podsPerNode":3,"podReadyDelayMs":50},{"name":"tokyo","region":"ap","zones":["ap-1","ap-2"]}]', { ...d, basePort: 7001 }), E.right(want));
  t.same(compile('{"berlin":{"nodes":2,"podsPerNode":3,"podReadyDelayMs":50,"port":7001},"tokyo":{"region":"ap","zones":["ap-1","ap-2"],"port":7002}}'), E.right(want));
});

t.test('errors name the problem', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /no clusters/],
    ['Berlin', /not a DNS-1123 label/],
    ['berlin,berlin', /given twice/],
    ['berlin:nodes=many', /nodes/],
    ['berlin:color=blue', /unknown option color/],
    ['[{"name":"x","nodes":-1}]', /nodes/],
    ['[{"name":', /not valid JSON/],
  ];
  for (const [text, re] of bad) {
    const r = parseClusterList(text);
    t.ok(E.isLeft(r) && re.test(r.left), `${JSON.stringify(text)}: ${E.isLeft(r) ? r.left : 'accepted'}`);
  }
});
