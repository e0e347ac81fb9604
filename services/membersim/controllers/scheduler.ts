// Scheduler decisions: bind pending pods to nodes with room (node selector, required node affinity, pod capacity), or say why not.
import * as E from 'fp-ts/lib/Either.js';
import { getArray, getPath, getRecord, getString } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { labelSelectorFromSpec, matchesLabels } from '../../../libs/kube-api/selectors.js';
import { isTerminal, nodeNameOf } from './pods.js';

export interface SchedulePlan {
  readonly bindings: readonly { readonly pod: KubeObject; readonly node: string }[];
  /** Pods that fit no node, with kube-scheduler's FailedScheduling message. */
  readonly unschedulable: readonly { readonly pod: KubeObject; readonly message: string }[];
}

type Misfit = 'unschedulable' | 'selector' | 'full';

const reasons: Record<Misfit, { readonly fit: string; readonly preemption: string }> = {
  unschedulable: { fit: "node(s) were unschedulable", preemption: 'Preemption is not helpful for scheduling' },
  selector: { fit: "node(s) didn't match Pod's node affinity/selector", preemption: 'Preemption is not helpful for scheduling' },
  full: { fit: 'Too many pods', preemption: 'No preemption victims found for incoming pod' },
};

/** kube's pod capacity of a node: status.allocatable.pods. */
export const podCapacity = (node: KubeObject): number => Number(getString(node, 'status', 'allocatable', 'pods') ?? '0') || 0;

export function matchesAffinity(pod: KubeObject, labels: Record<string, string>): boolean {
  const selector = getRecord(pod, 'spec', 'nodeSelector') as Record<string, string>;
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const terms = getArray(pod, 'spec', 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
  // Terms are ORed; a term's expressions are ANDed; an unparseable term matches nothing, as in kube.
  return terms.length === 0 || terms.some((term) => E.match(() => false, (sel: Parameters<typeof matchesLabels>[0]) => matchesLabels(sel, labels))(
    labelSelectorFromSpec({ matchExpressions: getPath(term, 'matchExpressions') ?? [] }),
  ));
}

function fitError(total: number, misfits: readonly Misfit[]): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const histogram = (text: (m: Misfit) => string): string => {
    const counts = new Map<string, number>();
    for (const m of misfits) counts.set(text(m), (counts.get(text(m)) ?? 0) + 1);
    return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
  };
  return `0/${total} nodes are available: ${histogram((m) => reasons[m].fit)}. preemption: 0/${total} nodes are available: ${histogram((m) => reasons[m].preemption)}.`;
}

const podOrder = (a: KubeObject, b: KubeObject): number => {
  const ka = `${a.metadata.creationTimestamp ?? ''}/${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.creationTimestamp ?? ''}/${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** One scheduling pass over every pod of the cluster: pending pods in creation order, each to the least loaded node that fits. */
export function schedule(nodes: readonly KubeObject[], pods: readonly KubeObject[]): SchedulePlan {
  const load = new Map<string, number>(nodes.map((n) => [n.metadata.name ?? '', 0]));
  for (const p of pods) {
    const node = nodeNameOf(p);
    if (node !== '' && !isTerminal(p) && load.has(node)) load.set(node, (load.get(node) ?? 0) + 1);
  }
  const sortedNodes = [...nodes].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  const pending = pods
    .filter((p) => nodeNameOf(p) === '' && !isTerminal(p) && p.metadata.deletionTimestamp === undefined
      && (getString(p, 'spec', 'schedulerName') ?? 'default-scheduler') === 'default-scheduler')
    .sort(podOrder);
  const bindings: { pod: KubeObject; node: string }[] = [];
  const unschedulable: { pod: KubeObject; message: string }[] = [];
  for (const pod of pending) {
    const misfits: Misfit[] = [];
    let best: { name: string; load: number } | undefined;
    for (const node of sortedNodes) {
      const name = node.metadata.name ?? '';
      const used = load.get(name) ?? 0;
      if (getPath(node, 'spec', 'unschedulable') === true) misfits.push('unschedulable');
      else if (!matchesAffinity(pod, node.metadata.labels ?? {})) misfits.push('selector');
      else if (used >= podCapacity(node)) misfits.push('full');
      else if (best === undefined || used < best.load) best = { name, load: used };
    }
    if (best === undefined) {
      unschedulable.push({ pod, message: fitError(nodes.length, misfits) });
    } else {
      bindings.push({ pod, node: best.name });
      load.set(best.name, best.load + 1);
    }
  }
  return { bindings, unschedulable };
}
