// Served Clusters show when the registry last probed them: their conditions' lastProbeTime comes from the
// registry's probe-time record when that is newer than the last recorded transition (the log gets no event per probe).
import type { KubeObject } from '../../libs/kube-api/object.js';
import type { StorageKind } from '../../libs/kube-api/resources.js';
import type { Store } from '../../libs/kube-api/store.js';
import { withProbeTime } from '../../libs/registry/health.js';
import type { ProbeTimes } from '../../libs/infra/redis/probe-times.js';
import type { Logger } from '../../libs/infra/log/logger.js';

const isCluster = (kind: StorageKind): boolean => kind.group === 'federation' && kind.kind === 'Cluster';

/** A read of the record that takes longer than this (Redis down or slow) serves the recorded times instead. */
const READ_TIMEOUT_MS = 250;

/**
 * `store` with probe times on the Clusters that gets and lists return. Watches show the recorded
 * conditions: a probe that changes nothing is not a change to watch. Without the record (Redis
 * unreachable) the recorded lastProbeTime is served.
 */
export function withProbeTimes(store: Store, times: ProbeTimes, logger: Logger): Store {
  const read = async (names: readonly string[]): Promise<Map<string, string>> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Map<string, string>>((resolve) => { timer = setTimeout(() => resolve(new Map()), READ_TIMEOUT_MS); });
    try {
      return await Promise.race([times.read(names), late]);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read probe times; serving recorded ones');
      return new Map();
    } finally {
      clearTimeout(timer);
    }
  };
  const overlay = async (objects: readonly KubeObject[]): Promise<KubeObject[]> => {
    const probed = await read(objects.filter((o) => o['status'] !== undefined).map((o) => o.metadata.name ?? ''));
    return objects.map((o) => {
      const at = probed.get(o.metadata.name ?? '');
      return at === undefined ? o : withProbeTime(o, at);
    });
  };
  return {
    create: (kind, obj, ctx) => store.create(kind, obj, ctx),
    update: (kind, obj, expected, ctx) => store.update(kind, obj, expected, ctx),
    delete: (kind, namespace, name, req, ctx) => store.delete(kind, namespace, name, req, ctx),
    watch: (kind, namespace, from, signal) => store.watch(kind, namespace, from, signal),
    async get(kind, namespace, name) {
      const object = await store.get(kind, namespace, name);
      if (object === undefined || !isCluster(kind)) return object;
      return (await overlay([object]))[0];
    },
    async list(kind, namespace) {
      const listed = await store.list(kind, namespace);
      return isCluster(kind) ? { ...listed, items: await overlay(listed.items) } : listed;
    },
  };
}
