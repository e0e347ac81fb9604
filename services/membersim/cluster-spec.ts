// The simulated clusters to run: a compact or JSON spec compiled, with documented defaults, into fully specified clusters.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { isDnsLabel } from '../../libs/config/codecs.js';

export interface ClusterSpec {
  /** DNS-1123 label; names the kubeconfig context, cluster and (with "-admin") user. */
  readonly name: string;
  /** topology.kubernetes.io/region of every node. */
  readonly region: string;
  /** topology.kubernetes.io/zone, assigned to nodes round-robin. */
  readonly zones: readonly string[];
  readonly nodes: number;
  /** Node capacity in pods; pods beyond it stay Pending (Unschedulable). */
  readonly podsPerNode: number;
  /** How long a bound pod takes to turn Running and Ready. */
  readonly podReadyDelayMs: number;
  /** 0: any free port. */
  readonly port: number;
}

export type ClusterDefaults = Pick<ClusterSpec, 'nodes' | 'podsPerNode' | 'podReadyDelayMs'> & {
  /** Cluster i gets basePort + i unless it names its port; 0: any free port. */
  readonly basePort: number;
};

/** Regions of the walkthrough's cities; any other cluster's region is its own name. */
export const defaultRegions: Readonly<Record<string, string>> = {
  'san-francisco': 'us-west',
  'new-york': 'us-east',
  berlin: 'eu-central',
  london: 'eu-west',
  paris: 'eu-west',
  frankfurt: 'eu-central',
  tokyo: 'ap-northeast',
  singapore: 'ap-southeast',
  sydney: 'ap-southeast',
  'sao-paulo': 'sa-east',
};

const count = (min: number) => t.refinement(t.number, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);

const ClusterInput = t.intersection([
  t.type({ name: t.string }),
  t.partial({
    region: t.string,
    zones: t.array(t.string),
    nodes: count(0),
    podsPerNode: count(0),
    podReadyDelayMs: count(0),
    port: t.refinement(count(0), (n) => n <= 65535, 'a port number'),
  }),
]);
type ClusterInput = t.TypeOf<typeof ClusterInput>;

const numericKeys = new Set(['nodes', 'podsPerNode', 'podReadyDelayMs', 'port']);

/** `name[:key=value]...`, keys as in JSON; zones separated by `/`. */
function parseCompact(text: string): unknown[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((entry) => {
    const [name, ...options] = entry.split(':');
    const out: Record<string, unknown> = { name };
    for (const option of options) {
      const eq = option.indexOf('=');
      const key = eq < 0 ? option : option.slice(0, eq);
      const value = eq < 0 ? '' : option.slice(eq + 1);
      out[key] = key === 'zones' ? value.split('/').filter((z) => z !== '') : numericKeys.has(key) && /^\d+$/.test(value) ? Number(value) : value;
    }
    return out;
  });
}

/** JSON (an array of clusters, or an object of name → options) or the compact form `berlin,new-york:nodes=2:podsPerNode=3`. */
export function parseClusterList(text: string): E.Either<string, ClusterInput[]> {
  const trimmed = text.trim();
  let raw: unknown;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      return E.left(`not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      raw = Object.entries(raw).map(([name, o]) => ({ ...(typeof o === 'object' && o !== null ? o : {}), name }));
    }
  } else {
    raw = parseCompact(trimmed);
  }
  const decoded = t.array(ClusterInput).decode(raw);
  if (E.isLeft(decoded)) return E.left(PathReporter.report(decoded).join('; '));
  const clusters = decoded.right;
  if (clusters.length === 0) return E.left('no clusters given');
  const names = new Set<string>();
  for (const c of clusters) {
    if (!isDnsLabel(c.name)) return E.left(`cluster name "${c.name}" is not a DNS-1123 label`);
    if (names.has(c.name)) return E.left(`cluster "${c.name}" is given twice`);
    names.add(c.name);
    const unknown = Object.keys(c).filter((k) => !['name', 'region', 'zones', ...numericKeys].includes(k));
    if (unknown.length > 0) return E.left(`cluster "${c.name}": unknown option ${unknown.join(', ')}`);
  }
  return E.right(clusters);
}

/** Fully specified clusters: every option not given takes its documented default. */
export function compileClusters(inputs: readonly ClusterInput[], d: ClusterDefaults): ClusterSpec[] {
  return inputs.map((c, i) => {
    const region = c.region ?? defaultRegions[c.name] ?? c.name;
    return {
      name: c.name,
      region,
      zones: c.zones !== undefined && c.zones.length > 0 ? c.zones : ['a', 'b', 'c'].map((z) => `${region}-${z}`),
      nodes: c.nodes ?? d.nodes,
      podsPerNode: c.podsPerNode ?? d.podsPerNode,
      podReadyDelayMs: c.podReadyDelayMs ?? d.podReadyDelayMs,
      port: c.port ?? (d.basePort === 0 ? 0 : d.basePort + i),
    };
  });
}
