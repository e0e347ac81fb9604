// What a syncer reports about kfed's copies in a member (MemberStatusReported, syncer → aggregator over NATS), and how a live copy reads as one.
import * as t from 'io-ts';
import { getArray, getNumber, getString } from '../kube-api/json.js';
import type { KubeObject } from '../kube-api/object.js';
import { FEDERATION_GENERATION_ANNOTATION } from './render.js';

/** A condition of a member's copy: its own (a Deployment's Available, ...) or the syncer's Synced. */
export const MemberCondition = t.intersection([
  t.type({ type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }) }),
  t.partial({ reason: t.string, message: t.string, lastTransitionTime: t.string }),
]);
export type MemberCondition = t.TypeOf<typeof MemberCondition>;

/** The syncer's own condition on each copy: whether the member holds what kfed decided, and if not, the member's reason and message. */
export const SYNCED_CONDITION = 'Synced';

/**
 * One federated object in one member. `key` is the object's stream; `present` whether kfed's copy
 * exists there; `federationGeneration` the federated generation the member has fully observed (its
 * controller caught up with a copy rendered from it), null while it has not. The counts are the
 * copy's status; `unschedulable` counts its pods the member cannot schedule. `conditions` start with
 * Synced.
 */
export const MemberObjectReport = t.type({
  key: t.string,
  present: t.boolean,
  federationGeneration: t.union([t.number, t.null]),
  replicas: t.number,
  readyReplicas: t.number,
  availableReplicas: t.number,
  fullyLabeledReplicas: t.number,
  updatedReplicas: t.number,
  unschedulable: t.number,
  conditions: t.array(MemberCondition),
});
export type MemberObjectReport = t.TypeOf<typeof MemberObjectReport>;

/** On member.status.<cluster>: reports of the cluster's copies, several coalesced into one message. */
export const MemberStatusReported = t.type({ cluster: t.string, objects: t.array(MemberObjectReport) }, 'MemberStatusReported');
export type MemberStatusReported = t.TypeOf<typeof MemberStatusReported>;

/** On member.resync: ask the syncers to report every copy they serve again (an aggregator started or took over objects). */
export const MemberResyncRequested = t.type({ reason: t.string }, 'MemberResyncRequested');
export type MemberResyncRequested = t.TypeOf<typeof MemberResyncRequested>;

/** Kinds whose controllers report status.observedGeneration: their copy is observed once it reaches metadata.generation. */
const observingApiVersions = new Set(['apps/v1']);

const count = (live: KubeObject | undefined, field: string): number => {
  const v = live === undefined ? undefined : getNumber(live, 'status', field);
  return v === undefined || !Number.isFinite(v) ? 0 : v;
};

function observedFederationGeneration(live: KubeObject): number | null {
  const rendered = Number(live.metadata.annotations?.[FEDERATION_GENERATION_ANNOTATION]);
  if (!Number.isInteger(rendered)) return null;
  if (!observingApiVersions.has(live.apiVersion)) return rendered;
  const observed = getNumber(live, 'status', 'observedGeneration');
  return observed !== undefined && observed >= (live.metadata.generation ?? 0) ? rendered : null;
}

function conditionsOf(live: KubeObject | undefined): MemberCondition[] {
  const out: MemberCondition[] = [];
  for (const c of live === undefined ? [] : getArray(live, 'status', 'conditions')) {
    const decoded = MemberCondition.decode(c);
    if (decoded._tag === 'Right') {
      const { type, status, reason, message, lastTransitionTime } = decoded.right;
      out.push({ type, status, ...(reason === undefined ? {} : { reason }), ...(message === undefined ? {} : { message }),
        ...(lastTransitionTime === undefined ? {} : { lastTransitionTime }) });
    }
  }
  return out;
}

/** The report of kfed's copy `live` (undefined: there is none), with the syncer's Synced condition first. */
export function memberReport(key: string, live: KubeObject | undefined, synced: MemberCondition, unschedulable: number): MemberObjectReport {
  const isJob = live?.kind === 'Job';
  return {
    key,
    present: live !== undefined,
    federationGeneration: live === undefined ? null : observedFederationGeneration(live),
    replicas: count(live, isJob ? 'active' : 'replicas'),
    readyReplicas: count(live, isJob ? 'ready' : 'readyReplicas'),
    availableReplicas: count(live, isJob ? 'ready' : 'availableReplicas'),
    fullyLabeledReplicas: count(live, 'fullyLabeledReplicas'),
    updatedReplicas: count(live, 'updatedReplicas'),
    unschedulable,
    conditions: [synced, ...conditionsOf(live).filter((c) => c.type !== SYNCED_CONDITION)],
  };
}

/** A pod the member's scheduler could not place (PodScheduled False, reason Unschedulable). */
export function isUnschedulable(pod: KubeObject): boolean {
  return getArray(pod, 'status', 'conditions').some((c) =>
    getString(c, 'type') === 'PodScheduled' && getString(c, 'status') === 'False' && getString(c, 'reason') === 'Unschedulable');
}
