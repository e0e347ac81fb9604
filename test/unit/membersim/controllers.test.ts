// The simulated controllers' pure decisions, given/when/then: ReplicaSet, Deployment, scheduler, kubelet, DaemonSet, Job.
import t from 'tap';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { planDaemonSet } from '../../../services/membersim/controllers/daemonset.js';
import { planDeployment } from '../../../services/membersim/controllers/deployment.js';
import { planJob } from '../../../services/membersim/controllers/job.js';
import { kubeletStep } from '../../../services/membersim/controllers/kubelet.js';
import { controllerRef, templateHash } from '../../../services/membersim/controllers/pods.js';
import { planReplicaSet } from '../../../services/membersim/controllers/replicaset.js';
import { schedule } from '../../../services/membersim/controllers/scheduler.js';
import { simulatedNodes } from '../../../services/membersim/nodes.js';

const now = '2026-01-01T00:00:00Z';
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };

function workload(kind: string, name: string, spec: Record<string, unknown>, extra: Partial<KubeObject> = {}): KubeObject {
  const apiVersion = kind === 'Job' ? 'batch/v1' : 'apps/v1';
  return { apiVersion, kind, metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 }, spec, ...extra };
}

interface PodState { readonly node?: string; readonly phase?: string; readonly ready?: boolean; readonly created?: string; readonly deleting?: boolean; readonly labels?: Record<string, string> }

function pod(name: string, owner: KubeObject | undefined, s: PodState = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: s.created ?? now, labels: s.labels ?? { app: 'web' },
      ...(owner === undefined ? {} : { ownerReferences: [controllerRef(owner)] }),
      ...(s.deleting === true ? { deletionTimestamp: now } : {}),
    },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }], ...(s.node === undefined ? {} : { nodeName: s.node }) },
    status: { phase: s.phase ?? 'Pending', conditions: [{ type: 'Ready', status: s.ready === true ? 'True' : 'False' }] },
  };
}

t.test('ReplicaSet: creates the missing pods, deletes the most expendable, status counts active pods', async (t) => {
  const rs = workload('ReplicaSet', 'web-abc', { replicas: 3, selector: { matchLabels: { app: 'web' } }, template });
  const other = workload('ReplicaSet', 'other', { replicas: 1 });
  const cases: { name: string; replicas: number; pods: KubeObject[]; create: number; delete: string[]; ready: number; replicasStatus: number }[] = [
    { name: 'empty: create all', replicas: 3, pods: [], create: 3, delete: [], ready: 0, replicasStatus: 0 },
    {
      name: 'pods of others, finished and deleting ones do not count', replicas: 3,
      pods: [pod('a', rs, { node: 'n1', phase: 'Running', ready: true }), pod('b', other), pod('c', rs, { phase: 'Succeeded' }), pod('d', rs, { deleting: true })],
      create: 2, delete: [], ready: 1, replicasStatus: 1,
    },
    {
      name: 'scale down: unbound, then pending, then not ready, then newest go first', replicas: 1,
      pods: [
        pod('old-ready', rs, { node: 'n1', phase: 'Running', ready: true, created: '2026-01-01T00:00:00Z' }),
        pod('new-ready', rs, { node: 'n1', phase: 'Running', ready: true, created: '2026-01-01T00:01:00Z' }),
        pod('unbound', rs),
        pod('pending', rs, { node: 'n2' }),
      ],
      create: 0, delete: ['unbound', 'pending', 'new-ready'], ready: 2, replicasStatus: 4,
    },
  ];
  for (const c of cases) {
    const plan = planReplicaSet({ ...rs, spec: { ...(rs['spec'] as object), replicas: c.replicas } }, c.pods);
    t.equal(plan.create.length, c.create, `${c.name}: creates`);
    t.same(plan.delete, c.delete, `${c.name}: deletes`);
    t.match(plan.status, { replicas: c.replicasStatus, readyReplicas: c.ready, availableReplicas: c.ready, observedGeneration: 1 }, `${c.name}: status`);
  }
  const [created] = planReplicaSet(rs, []).create;
  t.match(created, {
    kind: 'Pod', metadata: { generateName: 'web-abc-', namespace: 'default', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', uid: 'uid-web-abc', controller: true }] },
    spec: { restartPolicy: 'Always', containers: [{ name: 'nginx' }] },
  }, 'pods come from the template, owned by the ReplicaSet');
});

t.test('Deployment: a ReplicaSet per template, rolling within maxSurge/maxUnavailable, status from the ReplicaSets', async (t) => {
  const d = workload('Deployment', 'web', { replicas: 4, selector: { matchLabels: { app: 'web' } }, template });
  const hash = templateHash(template);
  const rsOf = (name: string, revision: number, spec: number, status: { replicas: number; available: number }): KubeObject => ({
    ...workload('ReplicaSet', name, { replicas: spec }),
    metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: { 'deployment.kubernetes.io/revision': String(revision) }, labels: { 'pod-template-hash': name.split('-')[1] ?? '' }, ownerReferences: [controllerRef(d)] },
    status: { replicas: status.replicas, readyReplicas: status.available, availableReplicas: status.available },
  });

  const first = planDeployment(d, [], now);
  t.match(first.actions, [{ _tag: 'create', replicaSet: { metadata: { name: `web-${hash}`, labels: { 'pod-template-hash': hash } }, spec: { replicas: 4, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } } } } }], 'given no ReplicaSet: creates one of the template at full size');
  t.equal(first.revision, '1');

  const steady = planDeployment(d, [rsOf(`web-${hash}`, 1, 4, { replicas: 4, available: 4 })], now);
  t.same(steady.actions, [], 'given a complete rollout: nothing to do');
  t.match(steady.status, { replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 0, observedGeneration: 1 });
  t.match(steady.status['conditions'], [{ type: 'Available', status: 'True' }, { type: 'Progressing', reason: 'NewReplicaSetAvailable' }]);

  const scaled = planDeployment({ ...d, spec: { ...(d['spec'] as object), replicas: 6 } }, [rsOf(`web-${hash}`, 1, 4, { replicas: 4, available: 4 })], now);
  t.same(scaled.actions, [{ _tag: 'scale', name: `web-${hash}`, replicas: 6 }], 'given a new replica count: scales the ReplicaSet');

  // A new template: surge 1 (25% of 4, rounded up), then old pods go as new ones become available.
  const old = rsOf('web-old', 1, 4, { replicas: 4, available: 4 });
  const start = planDeployment(d, [old], now);
  t.match(start.actions, [{ _tag: 'create', replicaSet: { spec: { replicas: 1 } } }], 'rollout starts within maxSurge');
  t.equal(start.revision, '2');
  const midway = planDeployment(d, [old, rsOf(`web-${hash}`, 2, 1, { replicas: 1, available: 1 })], now);
  // 5 available, at least 3 (4 - maxUnavailable 1) must stay: 2 old pods may go; the new one waits for room (4 + 1 surge).
  t.same(midway.actions, [{ _tag: 'scale', name: 'web-old', replicas: 2 }], 'old pods go as far as availability allows');
  const done = planDeployment(d, [rsOf('web-old', 1, 0, { replicas: 0, available: 0 }), rsOf(`web-${hash}`, 2, 4, { replicas: 4, available: 4 })], now);
  t.same(done.actions, [], 'rollout complete');
  t.match(done.status['conditions'], [{ type: 'Available', status: 'True' }, { type: 'Progressing', reason: 'NewReplicaSetAvailable' }]);

  const recreate = { ...d, spec: { ...(d['spec'] as object), strategy: { type: 'Recreate' } } };
  t.match(planDeployment(recreate, [old], now).actions, [{ _tag: 'create', replicaSet: { spec: { replicas: 0 } } }, { _tag: 'scale', name: 'web-old', replicas: 0 }], 'Recreate: old pods first');

  const unavailable = planDeployment(d, [rsOf(`web-${hash}`, 1, 4, { replicas: 4, available: 2 })], now);
  t.match(unavailable.status, { availableReplicas: 2, unavailableReplicas: 2 });
  t.match(unavailable.status['conditions'], [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }], 'fewer than desired - maxUnavailable available');

  t.equal(templateHash({ ...template, metadata: { ...template.metadata, creationTimestamp: null }, spec: { containers: [{ ...template.spec.containers[0], resources: {} }] } }), hash,
    'a template echoed back with empty fields (rollout undo) hashes the same');
});

t.test('scheduler: least loaded node that fits, in creation order; Unschedulable with the reasons', async (t) => {
  const nodes = simulatedNodes({ name: 'c', region: 'r', zones: ['r-a', 'r-b'], nodes: 2, podsPerNode: 3, podReadyDelayMs: 0, port: 0 });
  const pending = Array.from({ length: 8 }, (_, i) => pod(`p${i}`, undefined, { created: `2026-01-01T00:00:0${i}Z` }));
  const plan = schedule(nodes, pending);
  t.same(plan.bindings.map((b) => `${b.pod.metadata.name}@${b.node}`), ['p0@c-node-1', 'p1@c-node-2', 'p2@c-node-1', 'p3@c-node-2', 'p4@c-node-1', 'p5@c-node-2']);
  t.same(plan.unschedulable.map((u) => u.pod.metadata.name), ['p6', 'p7'], 'with 2 nodes of 3 pods, 8 pods leave 2 pending');
  t.equal(plan.unschedulable[0]?.message, '0/2 nodes are available: 2 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');

  const bound = [pod('a', undefined, { node: 'c-node-1', phase: 'Running' }), pod('done', undefined, { node: 'c-node-2', phase: 'Succeeded' })];
  t.same(schedule(nodes, [...bound, pod('new', undefined)]).bindings.map((b) => b.node), ['c-node-2'], 'finished pods free their room');

  const zoned = { ...pod('zoned', undefined), spec: { containers: [], nodeSelector: { 'topology.kubernetes.io/zone': 'r-b' } } };
  t.same(schedule(nodes, [zoned]).bindings.map((b) => b.node), ['c-node-2'], 'node selector');
  const affinity = {
    ...pod('aff', undefined),
    spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['mars'] }] }] } } } },
  };
  t.match(schedule(nodes, [affinity]).unschedulable, [{ message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling." }]);
  t.match(schedule([], [pod('x', undefined)]).unschedulable, [{ message: 'no nodes available to schedule pods' }]);
});

t.test('kubelet: ContainerCreating until the ready delay, then Running and Ready; Job pods then Succeeded', async (t) => {
  const base = { seenAt: 1_000_000, readyDelayMs: 500, hostIP: '172.18.0.2', podIP: '10.244.0.2' };
  const p = pod('p', undefined, { node: 'n1' });
  const creating = kubeletStep(p, { ...base, now: 1_000_100, completes: false });
  t.match(creating, { nextInMs: 400, status: { phase: 'Pending', containerStatuses: [{ ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] } });
  t.same(kubeletStep({ ...p, status: creating.status }, { ...base, now: 1_000_200, completes: false }), { nextInMs: 300 }, 'nothing to write while waiting');
  const running = kubeletStep({ ...p, status: creating.status }, { ...base, now: 1_000_500, completes: false });
  t.match(running, { status: { phase: 'Running', podIP: '10.244.0.2', conditions: [{ type: 'PodReadyToStartContainers', status: 'True' }, { type: 'Initialized' }, { type: 'Ready', status: 'True' }] } });
  t.notOk('nextInMs' in running, 'a service pod runs until deleted');
  t.same(kubeletStep({ ...p, status: running.status }, { ...base, now: 1_009_000, completes: false }), {}, 'idempotent once running');

  const job = kubeletStep({ ...p, status: running.status }, { ...base, now: 1_000_600, completes: true });
  t.same(job, { nextInMs: 400 }, 'a Job pod runs one more delay');
  t.match(kubeletStep({ ...p, status: running.status }, { ...base, now: 1_001_000, completes: true }), { status: { phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] } });
  t.same(kubeletStep(pod('u', undefined), { ...base, now: 1_000_600, completes: false }), {}, 'unbound pods are not the kubelet\'s');
});

t.test('DaemonSet: one current pod per selected node', async (t) => {
  const nodes = simulatedNodes({ name: 'c', region: 'r', zones: ['r-a', 'r-b'], nodes: 3, podsPerNode: 3, podReadyDelayMs: 0, port: 0 });
  const ds = workload('DaemonSet', 'agent', { selector: { matchLabels: { app: 'web' } }, template });
  const hash = templateHash(template);
  const cur = (name: string, node: string, ready = true): KubeObject => pod(name, ds, { node, phase: 'Running', ready, labels: { app: 'web', 'controller-revision-hash': hash } });
  const plan = planDaemonSet(ds, nodes, [cur('a', 'c-node-1'), pod('stale', ds, { node: 'c-node-2', phase: 'Running' }), cur('dup', 'c-node-1', false)]);
  t.same(plan.create.map((p) => (p['spec'] as { nodeName: string }).nodeName), ['c-node-2', 'c-node-3']);
  t.same([...plan.delete].sort(), ['dup', 'stale'], 'duplicates and pods of an old template go');
  t.match(plan.status, { desiredNumberScheduled: 3, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 1, numberMisscheduled: 0 });
  const zoned = { ...ds, spec: { ...(ds['spec'] as object), template: { ...template, spec: { ...template.spec, nodeSelector: { 'topology.kubernetes.io/zone': 'r-b' } } } } };
  t.match(planDaemonSet(zoned, nodes, []), { status: { desiredNumberScheduled: 1 } }, 'node selector limits the nodes');
});

t.test('Job: pods up to parallelism until completions succeeded, then Complete', async (t) => {
  const job = workload('Job', 'pi', { completions: 3, parallelism: 2, template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } });
  const start = planJob(job, [], now);
  t.equal(start.create.length, 2);
  t.match(start.create[0], { metadata: { generateName: 'pi-', labels: { 'job-name': 'pi', 'batch.kubernetes.io/controller-uid': 'uid-pi' } }, spec: { restartPolicy: 'Never' } });
  t.match(start.status, { startTime: now, active: 0, succeeded: 0 });
  const oneLeft = planJob(job, [pod('a', job, { phase: 'Succeeded' }), pod('b', job, { phase: 'Succeeded' }), pod('c', job, { node: 'n', phase: 'Running', ready: true })], now);
  t.equal(oneLeft.create.length, 0, 'the running pod is the last one needed');
  t.match(oneLeft.status, { active: 1, succeeded: 2, ready: 1 });
  t.notOk('conditions' in oneLeft.status);
  const done = planJob(job, ['a', 'b', 'c'].map((n) => pod(n, job, { phase: 'Succeeded' })), now);
  t.match(done.status, { succeeded: 3, active: 0, completionTime: now, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] });
  t.equal(planJob({ ...job, spec: { ...(job['spec'] as object), suspend: true } }, [], now).create.length, 0, 'suspended');
});
