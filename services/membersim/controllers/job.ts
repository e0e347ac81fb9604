// Job controller decisions: run pods until enough have succeeded, then mark the Job complete; status from its pods.
import { getNumber, getPath, getString } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { conditions } from './conditions.js';
import { controlledBy, isActive, isReady, phaseOf, podFromTemplate } from './pods.js';

export interface JobPlan {
  readonly create: readonly KubeObject[];
  readonly status: Record<string, unknown>;
}

/** `now`: RFC 3339. Completions default to 1 (non-indexed Jobs only); a suspended Job starts no pods. */
export function planJob(job: KubeObject, pods: readonly KubeObject[], now: string): JobPlan {
  const owned = pods.filter((p) => controlledBy(p, job));
  const succeeded = owned.filter((p) => phaseOf(p) === 'Succeeded').length;
  const failed = owned.filter((p) => phaseOf(p) === 'Failed').length;
  const active = owned.filter(isActive);
  const completions = getNumber(job, 'spec', 'completions') ?? 1;
  const parallelism = getNumber(job, 'spec', 'parallelism') ?? 1;
  const suspended = getPath(job, 'spec', 'suspend') === true;
  const complete = succeeded >= completions;
  const missing = complete || suspended || job.metadata.deletionTimestamp !== undefined
    ? 0
    : Math.max(0, Math.min(parallelism, completions - succeeded) - active.length);
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const pod = podFromTemplate(getPath(job, 'spec', 'template'), {
    owner: job,
    generateName: `${name}-`,
    labels: { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name },
  });
  const startTime = getString(job, 'status', 'startTime') ?? now;
  return {
    create: Array.from({ length: missing }, () => pod),
    status: {
      ...(suspended && owned.length === 0 ? {} : { startTime }),
      active: active.length,
      succeeded,
      failed,
      ready: active.filter(isReady).length,
      terminating: 0,
      uncountedTerminatedPods: {},
      ...(complete
        ? {
          completionTime: getString(job, 'status', 'completionTime') ?? now,
          conditions: conditions(getPath(job, 'status', 'conditions'), [
            { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
            { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
          ], now, ['lastProbeTime', 'lastTransitionTime']),
        }
        : {}),
    },
  };
}
