// The scheduler's decider: from a federated object, the member clusters and the last decision, the next placement (if it changes).
import * as E from 'fp-ts/lib/Either.js';
import type { CandidateCluster, EventDataOf, Placement } from '../events/types.js';
import type { ObjectRef } from '../events/streams.js';
import { replicatedKinds } from '../federation/contributions.js';
import { kindKey, type StoredObject } from '../federation/state.js';
import { SYSTEM_NAMESPACE } from '../federation/types.js';
import { getArray, getNumber, getPath, getString } from '../kube-api/json.js';
import type { KubeObject } from '../kube-api/object.js';
import { matchesLabels } from '../kube-api/selectors.js';
import { plan, PLANNER_VERSION, type PlanInput } from '../placement/planner.js';
import {
  CLUSTER_SELECTOR_ANNOTATION, formatPreferencesError, MAX_COUNT, parseClusterSelector, parsePreferences, PREFERENCES_ANNOTATION,
} from '../placement/preferences.js';
import { describeDecision } from './reason.js';

export type PlacementDecidedData = EventDataOf<'PlacementDecided'>;

/** How long cluster health changes take to reach placements (Federation v1: 60 s and 20 s). */
export interface SchedulingConfig {
  /** A cluster not Ready for less than this keeps its replicas planned. */
  readonly failoverDelayMs: number;
  /** A cluster that lost its replicas re-enters this long after it became Ready again. */
  readonly recoveryDelayMs: number;
}

export const DEFAULT_SCHEDULING: SchedulingConfig = { failoverDelayMs: 60_000, recoveryDelayMs: 20_000 };

/**
 * What `decide` concludes. `nextCheckAt` (ms since the epoch): the outcome may change at that time
 * without any event (a failover or recovery delay ends); decide again then.
 */
export type Decision =
  /** The object is never placed (control-plane namespace, Cluster objects, Events, being deleted). */
  | { readonly _tag: 'NotPlaced'; readonly why: string }
  /** Its placement annotations (or replica count) are invalid: the previous placement stays. */
  | { readonly _tag: 'Invalid'; readonly message: string }
  | { readonly _tag: 'Unchanged'; readonly nextCheckAt?: number }
  | { readonly _tag: 'Decided'; readonly data: PlacementDecidedData; readonly nextCheckAt?: number };

/** Objects that never reach a member: control-plane state, the Cluster objects themselves, Events (per-cluster facts). */
export function notPlacedBecause(ref: ObjectRef): string | undefined {
  if (ref.namespace === SYSTEM_NAMESPACE || (ref.group === '' && ref.kind === 'Namespace' && ref.name === SYSTEM_NAMESPACE)) {
    return `namespace ${SYSTEM_NAMESPACE} holds the control plane's own objects`;
  }
  if (ref.group === 'federation' && ref.kind === 'Cluster') return 'Cluster objects describe the members';
  if (ref.group === '' && ref.kind === 'Event') return 'Events are facts of one cluster';
  return undefined;
}

/** A member cluster's health as its conditions state it. */
export interface ClusterHealth {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: CandidateCluster['state'];
  /** lastTransitionTime of the Ready condition, if known. */
  readonly since: string | null;
}

export function clusterHealth(cluster: KubeObject): ClusterHealth {
  const conditions = getArray(cluster, 'status', 'conditions');
  const find = (type: string): unknown => conditions.find((c) => getString(c, 'type') === type);
  const ready = find('Ready');
  const readyStatus = getString(ready, 'status');
  const state = readyStatus === 'True' ? 'Ready'
    : getString(find('Offline'), 'status') === 'True' ? 'Offline'
      : readyStatus === 'False' ? 'NotReady' : 'Unknown';
  return { name: cluster.metadata.name ?? '', labels: cluster.metadata.labels ?? {}, state, since: getString(ready, 'lastTransitionTime') ?? null };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Whether a cluster may hold the object now, with hysteresis against the previous decision:
 * a cluster that was in stays in for failoverDelayMs after it stopped being Ready; a cluster that
 * was out because it was not Ready comes back recoveryDelayMs after it became Ready again. A cluster
 * the previous decision did not know (new cluster, first decision) is in as soon as it is Ready.
 */
function candidate(
  h: ClusterHealth, selected: boolean, previous: CandidateCluster | undefined, now: number, config: SchedulingConfig,
): { readonly c: CandidateCluster; readonly at?: number } {
  const base = { name: h.name, state: h.state, since: h.since };
  const since = h.since === null ? NaN : Date.parse(h.since);
  if (!selected) return { c: { ...base, eligible: false, why: 'NotSelected', until: null } };
  if (h.state === 'Ready') {
    const recovering = previous !== undefined && (previous.why === 'NotReady' || previous.why === 'RecoveryDelay');
    const at = since + config.recoveryDelayMs;
    if (recovering && now < at) return { c: { ...base, eligible: false, why: 'RecoveryDelay', until: iso(at) }, at };
    return { c: { ...base, eligible: true, why: 'Ready', until: null } };
  }
  const at = since + config.failoverDelayMs;
  if (previous?.eligible === true && now < at) return { c: { ...base, eligible: true, why: 'FailoverDelay', until: iso(at) }, at };
  return { c: { ...base, eligible: false, why: 'NotReady', until: null } };
}

/** Per-cluster counts from the aggregated status: replicas running (current) and what fits (capacity). */
function observedCounts(object: KubeObject, eligible: ReadonlySet<string>): { current: Record<string, number>; capacity: Record<string, number> } {
  const current: Record<string, number> = {};
  const capacity: Record<string, number> = {};
  const count = (v: number | undefined): number => (v === undefined || !Number.isFinite(v) ? 0 : Math.min(MAX_COUNT, Math.max(0, Math.trunc(v))));
  for (const c of getArray(object, 'status', 'clusters')) {
    const name = getString(c, 'name');
    if (name === undefined || !eligible.has(name)) continue;
    const replicas = count(getNumber(c, 'replicas'));
    const unschedulable = count(getNumber(c, 'unschedulable'));
    current[name] = replicas;
    // Federation v1: pods a cluster cannot schedule for this workload mean it holds no more than it runs now.
    if (unschedulable > 0) capacity[name] = Math.max(0, replicas - unschedulable);
  }
  return { current, capacity };
}

/** The replicas a kind is scaled by: spec.replicas, or a Job's spec.parallelism (both default to 1). */
function totalReplicas(object: KubeObject, ref: ObjectRef): E.Either<string, number> {
  const field = ref.kind === 'Job' ? 'parallelism' : 'replicas';
  const v = getPath(object, 'spec', field);
  if (v === undefined || v === null) return E.right(1);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_COUNT
    ? E.right(v) : E.left(`spec.${field}: must be a non-negative integer`);
}

/** The placement of a plan: clusters planned 0 are left out (their copies go), unless the total is 0. */
export function placementOf(input: PlanInput, planned: Readonly<Record<string, number>>): Placement {
  const out: Placement = {};
  for (const name of input.clusters) {
    const n = planned[name] ?? 0;
    if (n > 0 || input.totalReplicas === 0) out[name] = n;
  }
  return out;
}

/** Objects without replicas go to every eligible cluster. */
export const everywhere = (clusters: readonly CandidateCluster[]): Placement =>
  Object.fromEntries(clusters.filter((c) => c.eligible).map((c) => [c.name, 0]));

export function samePlacement(a: Placement, b: Placement): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * Decides where `stored` runs. `clusters` are the federation's Cluster objects, `previous` the last
 * recorded decision for this object, `now` ms since the epoch. Pure: the same arguments give the
 * same decision, and a decision records everything the planner was given.
 */
export function decide(
  stored: StoredObject, clusters: readonly KubeObject[], previous: PlacementDecidedData | undefined, now: number,
  config: SchedulingConfig,
): Decision {
  const { object, ref } = stored;
  const never = notPlacedBecause(ref);
  if (never !== undefined) return { _tag: 'NotPlaced', why: never };
  if (object.metadata.deletionTimestamp !== undefined) return { _tag: 'NotPlaced', why: 'the object is being deleted' };
  const annotations = object.metadata.annotations ?? {};
  const selector = parseClusterSelector(annotations[CLUSTER_SELECTOR_ANNOTATION]);
  if (E.isLeft(selector)) return { _tag: 'Invalid', message: `annotation ${CLUSTER_SELECTOR_ANNOTATION}: ${formatPreferencesError(selector.left)}` };

  const before = new Map((previous?.clusters ?? []).map((c) => [c.name, c]));
  let nextCheckAt: number | undefined;
  const candidates = clusters.map(clusterHealth).filter((h) => h.name !== '').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((h) => {
      const { c, at } = candidate(h, matchesLabels(selector.right, h.labels), before.get(h.name), now, config);
      if (at !== undefined && (nextCheckAt === undefined || at < nextCheckAt)) nextCheckAt = at;
      return c;
    });

  let input: PlanInput | null = null;
  let placement: Placement;
  let overflow: Placement = {};
  if (replicatedKinds.has(kindKey(ref))) {
    const preferences = parsePreferences(annotations[PREFERENCES_ANNOTATION]);
    if (E.isLeft(preferences)) return { _tag: 'Invalid', message: `annotation ${PREFERENCES_ANNOTATION}: ${formatPreferencesError(preferences.left)}` };
    const total = totalReplicas(object, ref);
    if (E.isLeft(total)) return { _tag: 'Invalid', message: total.left };
    const eligible = candidates.filter((c) => c.eligible).map((c) => c.name);
    const { current, capacity } = observedCounts(object, new Set(eligible));
    input = {
      preferences: preferences.right, totalReplicas: total.right, clusters: eligible, key: `${ref.namespace}/${ref.name}`,
      // Running counts only matter when replicas are not rebalanced: record them only then.
      ...(preferences.right.rebalance !== true && Object.keys(current).length > 0 ? { current } : {}),
      ...(Object.keys(capacity).length > 0 ? { capacity } : {}),
    };
    const result = plan(input);
    placement = placementOf(input, result.plan);
    overflow = result.overflow;
  } else {
    placement = everywhere(candidates);
  }

  const later = nextCheckAt === undefined ? {} : { nextCheckAt };
  if (previous !== undefined && samePlacement(previous.placement, placement)) return { _tag: 'Unchanged', ...later };
  const next = { input, clusters: candidates, placement, overflow };
  return {
    _tag: 'Decided',
    data: {
      ref, generation: object.metadata.generation ?? 0, plannerVersion: PLANNER_VERSION, ...next,
      previous: previous?.placement ?? null, reason: describeDecision(previous, next, config),
    },
    ...later,
  };
}
