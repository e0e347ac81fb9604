// Kubelet decisions for a bound pod: ContainerCreating until the ready delay passes, then Running and Ready (Job pods later Succeeded).
import { getArray, getPath, getString } from '../../../libs/kube-api/json.js';
import { formatTimestamp, type KubeObject } from '../../../libs/kube-api/object.js';
import { conditions, type Condition } from './conditions.js';
import { phaseOf } from './pods.js';

export interface KubeletInput {
  readonly now: number;
  /** When the kubelet first saw the pod on its node (ms since the epoch); the delays count from here. */
  readonly seenAt: number;
  readonly readyDelayMs: number;
  /** Job pods run to completion one ready delay after they started; other pods run until deleted. */
  readonly completes: boolean;
  readonly hostIP: string;
  /** Used unless the pod already has an IP. */
  readonly podIP: string;
}

export interface KubeletStep {
  /** The pod status to write; undefined when the current one already says it. */
  readonly status?: Record<string, unknown>;
  /** Run again after this long: the next stage is due then. */
  readonly nextInMs?: number;
}

type Stage = 'creating' | 'running' | 'succeeded';

/** What a status shows, ignoring timestamps: the stage the pod is in as far as clients can tell. */
function signature(status: unknown): string {
  const states = getArray(status, 'containerStatuses').map((c) => Object.keys((getPath(c, 'state') ?? {}) as object).join('')).join(',');
  const ready = getArray(status, 'conditions').find((c) => getString(c, 'type') === 'Ready');
  return `${getString(status, 'phase') ?? ''}|${getString(ready, 'status') ?? ''}|${states}`;
}

const containerId = (uid: string, i: number): string => `containerd://${uid.replace(/-/g, '')}${String(i).padStart(4, '0')}`;

function podStatus(pod: KubeObject, stage: Stage, i: KubeletInput): Record<string, unknown> {
  const at = (ms: number): string => formatTimestamp(new Date(ms));
  const startedAt = at(i.seenAt + i.readyDelayMs);
  const containers = getArray(pod, 'spec', 'containers');
  const names = containers.map((c) => getString(c, 'name') ?? '');
  const podIP = getString(pod, 'status', 'podIP') ?? i.podIP;
  const ready = stage === 'running';
  const notReady = stage === 'creating'
    ? { reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]` }
    : { reason: 'PodCompleted' };
  const wanted: Condition[] = [
    { type: 'PodReadyToStartContainers', status: ready ? 'True' : 'False' },
    { type: 'Initialized', status: 'True', ...(stage === 'succeeded' ? { reason: 'PodCompleted' } : {}) },
    ready ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', ...notReady },
    ready ? { type: 'ContainersReady', status: 'True' } : { type: 'ContainersReady', status: 'False', ...notReady },
    { type: 'PodScheduled', status: 'True' },
  ];
  const uid = pod.metadata.uid ?? '';
  const containerStatuses = containers.map((c, n) => {
    const image = getString(c, 'image') ?? '';
    const base = { name: getString(c, 'name') ?? '', image, restartCount: 0 };
    switch (stage) {
      case 'creating':
        return { ...base, imageID: '', ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } };
      case 'running':
        return { ...base, imageID: image, containerID: containerId(uid, n), ready: true, started: true, state: { running: { startedAt } } };
      case 'succeeded':
        return {
          ...base, imageID: image, containerID: containerId(uid, n), ready: false, started: false,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: at(i.seenAt + 2 * i.readyDelayMs), containerID: containerId(uid, n) } },
        };
    }
  });
  const hasResources = containers.some((c) => getPath(c, 'resources', 'requests') !== undefined || getPath(c, 'resources', 'limits') !== undefined);
  return {
    phase: stage === 'creating' ? 'Pending' : stage === 'running' ? 'Running' : 'Succeeded',
    conditions: conditions(getPath(pod, 'status', 'conditions'), wanted, at(i.now)),
    hostIP: i.hostIP,
    hostIPs: [{ ip: i.hostIP }],
    ...(stage === 'creating' ? {} : { podIP, podIPs: [{ ip: podIP }] }),
    startTime: at(i.seenAt),
    containerStatuses,
    qosClass: hasResources ? 'Burstable' : 'BestEffort',
  };
}

/** The next step for a pod bound to this kubelet's node. */
export function kubeletStep(pod: KubeObject, i: KubeletInput): KubeletStep {
  if (getString(pod, 'spec', 'nodeName') === undefined || pod.metadata.deletionTimestamp !== undefined) return {};
  const phase = phaseOf(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return {};
  const elapsed = i.now - i.seenAt;
  const stage: Stage = elapsed < i.readyDelayMs ? 'creating' : i.completes && elapsed >= 2 * i.readyDelayMs ? 'succeeded' : 'running';
  const nextInMs = stage === 'creating' ? i.readyDelayMs - elapsed : stage === 'running' && i.completes ? 2 * i.readyDelayMs - elapsed : undefined;
  const status = podStatus(pod, stage, i);
  const changed = signature(status) !== signature(getPath(pod, 'status'));
  return { ...(changed ? { status } : {}), ...(nextInMs === undefined ? {} : { nextInMs }) };
}
