// The timeline of one federated object, from its stream: who changed what, where its replicas went, and why.
import * as E from 'fp-ts/lib/Either.js';
import type { EventEnvelope } from '../events/envelope.js';
import { decodeKnownEvent } from '../events/types.js';
import { replicatedKinds } from '../federation/contributions.js';
import { kindKey } from '../federation/state.js';
import { getArray, getPath, getString } from '../kube-api/json.js';
import { isJsonObject } from '../kube-api/json-value.js';
import type { KubeObject } from '../kube-api/object.js';
import { CLUSTER_SELECTOR_ANNOTATION, parsePreferences, PREFERENCES_ANNOTATION } from '../placement/preferences.js';
import { describeMove, preferenceChanges } from './reason.js';

export interface HistoryRow {
  readonly position: string;
  readonly time: string;
  readonly actor: string;
  readonly event: string;
  /** What changed in the desired state (or in a cluster's health), in words. */
  readonly change: string;
  /** Per-cluster replicas before → after, for decisions. */
  readonly placement: string;
  readonly reason: string;
  readonly correlationId: string;
}

/** Annotations whose changes say nothing of their own (kubectl apply's copy of the whole object). */
const QUIET_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);
/** How many other changed fields a change names before it says "and N more". */
const MAX_FIELDS = 3;

const shortName = (annotation: string): string => annotation.slice(annotation.lastIndexOf('/') + 1);

function annotationChange(key: string, a: string | undefined, b: string | undefined): string {
  const name = `annotation ${shortName(key)}`;
  if (a === undefined) return `${name} added`;
  if (b === undefined) return `${name} removed`;
  if (key !== PREFERENCES_ANNOTATION) return `${name} changed`;
  const x = parsePreferences(a);
  const y = parsePreferences(b);
  if (E.isLeft(y)) return `${name} changed (invalid: ${y.left.message})`;
  if (E.isLeft(x)) return `${name} changed (now valid)`;
  const c = preferenceChanges(x.right, y.right);
  const what = [
    ...(c.weights.length > 0 ? [`weights ${c.weights.join(', ')}`] : []),
    ...(c.limits.length > 0 ? [`limits ${c.limits.join(', ')}`] : []),
    ...(c.rebalance !== undefined ? [`rebalance ${c.rebalance}`] : []),
  ];
  return what.length === 0 ? `${name} reformatted` : `${name} changed: ${what.join('; ')}`;
}

/** Leaf values by dotted path ("spec.template.spec.containers[0].image"). */
function leaves(v: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${path}[${i}]`, out));
  else if (isJsonObject(v)) for (const [k, x] of Object.entries(v)) leaves(x, path === '' ? k : `${path}.${k}`, out);
  else out.set(path, JSON.stringify(v));
  return out;
}

const containerImages = (o: KubeObject): Map<string, string> => new Map(getArray(o, 'spec', 'template', 'spec', 'containers')
  .map((c) => [getString(c, 'name') ?? '', getString(c, 'image') ?? '']));

/** The desired-state changes from `a` to `b`, in words: "replicas 4→10", "annotation replica-set-preferences changed: weights ...". */
export function describeObjectChange(a: KubeObject | undefined, b: KubeObject): string {
  if (a === undefined) return 'created';
  const out: string[] = [];
  for (const field of ['replicas', 'parallelism']) {
    const x = getPath(a, 'spec', field);
    const y = getPath(b, 'spec', field);
    if (x !== y) out.push(`${field} ${String(x ?? 'unset')}→${String(y ?? 'unset')}`);
  }
  const annA = a.metadata.annotations ?? {};
  const annB = b.metadata.annotations ?? {};
  const keys = [PREFERENCES_ANNOTATION, CLUSTER_SELECTOR_ANNOTATION, ...new Set([...Object.keys(annA), ...Object.keys(annB)])];
  for (const key of new Set(keys)) {
    if (!QUIET_ANNOTATIONS.has(key) && annA[key] !== annB[key]) out.push(annotationChange(key, annA[key], annB[key]));
  }
  if (JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})) out.push('labels changed');
  const imagesA = containerImages(a);
  for (const [name, image] of containerImages(b)) {
    const before = imagesA.get(name);
    if (before !== undefined && before !== image) out.push(`image of ${name} ${before}→${image}`);
  }
  // Everything else outside metadata and status, by path (values are not shown: they may be data).
  const skip = (path: string): boolean => path === 'spec.replicas' || path === 'spec.parallelism' || /^spec\.template\.spec\.containers\[\d+\]\.image$/.test(path);
  const body = (o: KubeObject): Map<string, string> => {
    const { metadata: _m, status: _s, ...rest } = o;
    return leaves(rest, '', new Map());
  };
  const x = body(a);
  const y = body(b);
  const other = [...new Set([...x.keys(), ...y.keys()])].filter((p) => !skip(p) && x.get(p) !== y.get(p));
  if (other.length > 0) {
    const more = other.length > MAX_FIELDS ? ` and ${other.length - MAX_FIELDS} more` : '';
    out.push(`changed ${other.slice(0, MAX_FIELDS).join(', ')}${more}`);
  }
  return out.length === 0 ? 'no change to the desired state' : out.join('; ');
}

const conditionText = (conditions: readonly { type: string; status: string; reason?: string }[]): Map<string, string> =>
  new Map(conditions.map((c) => [c.type, `${c.status}${c.reason === undefined ? '' : ` (${c.reason})`}`]));

/**
 * The rows of `kfed history`, oldest first. Aggregated status reports are left out (they are frequent
 * and move nothing by themselves; their effect shows in the decisions they caused).
 */
export function historyRows(events: readonly EventEnvelope[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let object: KubeObject | undefined;
  let conditions = new Map<string, string>();
  for (const envelope of events) {
    const decoded = decodeKnownEvent(envelope);
    const base = { position: envelope.position, time: envelope.time, actor: envelope.actor, event: envelope.type, correlationId: envelope.correlationId };
    const row = (change: string, placement = '', reason = ''): void => { rows.push({ ...base, change, placement, reason }); };
    if (E.isLeft(decoded)) {
      row('(undecodable payload)');
      continue;
    }
    const e = decoded.right;
    if (e === undefined) {
      row('');
      continue;
    }
    switch (e.type) {
      case 'ObjectApplied': {
        const next = e.data.object as KubeObject;
        row(describeObjectChange(object, next));
        object = next;
        break;
      }
      case 'ObjectDeleted':
        row(`deleted (propagation ${e.data.propagationPolicy})`);
        object = undefined;
        break;
      case 'PlacementDecided': {
        const d = e.data;
        row(`generation ${d.generation}`, describeMove(d.previous, d.placement, replicatedKinds.has(kindKey(d.ref))), d.reason);
        break;
      }
      case 'ClusterConditionChanged': {
        const next = conditionText(e.data.status.conditions);
        const changed = [...next].filter(([type, text]) => conditions.get(type) !== text)
          .map(([type, text]) => `${type} ${conditions.get(type) ?? 'unset'}→${text}`);
        row(changed.length === 0 ? 'conditions re-reported' : changed.join('; '));
        conditions = next;
        break;
      }
      case 'ClusterCapacityObserved': {
        const s = e.data.status;
        const parts = [
          ...(s.region !== undefined ? [`region ${s.region}`] : []),
          ...(s.capacity !== undefined ? [`capacity ${Object.entries(s.capacity).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`] : []),
          ...(s.kubernetesVersion !== undefined ? [`kubernetes ${s.kubernetesVersion}`] : []),
        ];
        row(parts.join('; '));
        break;
      }
      case 'StatusAggregated':
        break;
    }
  }
  return rows;
}
