// Fault injection around a cluster's API handler: failing health checks, latency, failed writes, closing watches.
import type { ApiHandler } from '../../libs/kube-api/handler.js';
import type { ApiRequest, ApiResponse } from '../../libs/kube-api/request.js';
import { statusResponse } from '../../libs/kube-api/request.js';
import { internalError } from '../../libs/kube-api/status.js';
import { noFaults, type FaultState } from '../../libs/simulator/faults.js';

export interface FaultInjectorDeps {
  /** Decides which writes fail; a seeded generator makes the failures reproducible. */
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface FaultInjector {
  readonly handler: ApiHandler;
  state(): FaultState;
  /** offline is not the injector's: the cluster closes and reopens its port. */
  set(state: FaultState): void;
  /** Ends every open watch (clients see the stream end, as when an apiserver restarts); answers how many. */
  closeWatches(): number;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const healthPaths = ['/healthz', '/readyz', '/livez'];
// kube-apiserver's verbose failure text, for whoever reads the probe body.
const unhealthyBody = '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n';

const isHealthPath = (path: string): boolean => healthPaths.some((p) => path === p || path.startsWith(`${p}/`));
const isApiPath = (path: string): boolean => path.startsWith('/api/') || path.startsWith('/apis/');

export function injectFaults(inner: ApiHandler, deps: FaultInjectorDeps): FaultInjector {
  let current: FaultState = noFaults;
  const watches = new Set<AbortController>();

  const handler = async (req: ApiRequest): Promise<ApiResponse> => {
    const faults = current;
    if (faults.latencyMs > 0) await deps.sleep(faults.latencyMs);
    if (faults.unhealthy && isHealthPath(req.path)) {
      return { _tag: 'complete', status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: unhealthyBody };
    }
    // Only draw for writes while the fault is on, so a seeded generator yields the same failures run after run.
    if (faults.writeErrorFraction > 0 && writeMethods.has(req.method) && isApiPath(req.path) && deps.random() < faults.writeErrorFraction) {
      return statusResponse(internalError('etcdserver: request timed out (injected by kfed sim fault write-errors)'));
    }
    const isWatch = req.method === 'GET' && ['true', '1'].includes(req.query.get('watch') ?? '');
    if (!isWatch) return inner(req);
    const closer = new AbortController();
    const end = (): void => {
      closer.abort();
      watches.delete(closer);
    };
    if (req.signal?.aborted === true) end();
    else req.signal?.addEventListener('abort', end, { once: true });
    watches.add(closer);
    return inner({ ...req, signal: closer.signal });
  };

  return {
    handler,
    state: () => current,
    set: (state) => {
      current = state;
    },
    closeWatches: () => {
      const open = [...watches];
      for (const w of open) {
        w.abort();
        watches.delete(w);
      }
      return open.length;
    },
  };
}
