// Registry benchmark: 500 simulated clusters (one simulator process) probed every 10 s. CPU share of the registry
// (in this process) and probe lateness, against a same-run baseline: the bare /readyz requests on the same timers.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { Registry as MetricsRegistry, type Histogram } from 'prom-client';
import { expectAny, type NewEvent } from '../libs/events/envelope.js';
import { objectStream } from '../libs/events/streams.js';
import { joinObjects } from '../libs/federation/join.js';
import type { MemberAccess } from '../libs/federation/member-access.js';
import type { KubeObject } from '../libs/kube-api/object.js';
import { nextProbeAt, probeOffset } from '../libs/registry/probe-settings.js';
import { createSealer, generateKey } from '../libs/infra/crypto/seal.js';
import { memberHttp } from '../libs/infra/kube-client/member-http.js';
import { createLogger } from '../libs/infra/log/logger.js';
import { connectBus } from '../libs/infra/nats/bus.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { createEventLog } from '../libs/infra/redis/eventlog.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import { start } from '../services/registry/registry.js';
import { startSimulator } from './_members.js';
import { percentile, printTable } from './_report.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const TIMEOUT_MS = 3000;

interface Member { readonly name: string; readonly access: MemberAccess }

interface Window { readonly cpuShare: number; readonly seconds: number }

/** CPU time of this process over `seconds` of wall time, as a share of one core. */
async function window(seconds: number): Promise<Window> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  return { cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed, seconds: elapsed };
}

/** The baseline: each member's /readyz on its own timer at the same offsets, through the same https client, nothing else. */
async function bareProbes(members: readonly Member[], periodMs: number, seconds: number): Promise<Window & { probes: number; lateness: number[] }> {
  const lateness: number[] = [];
  let probes = 0;
  let measuring = false;
  const timers = new Map<string, NodeJS.Timeout>();
  const clients = members.map((m) => ({ m, http: memberHttp(m.access), offset: probeOffset(m.name, periodMs) }));
  let stopped = false;
  for (const c of clients) {
    const arm = (after: number): void => {
      const due = nextProbeAt(after, c.offset, periodMs);
      timers.set(c.m.name, setTimeout(() => {
        const now = Date.now();
        if (stopped) return;
        arm(Math.max(now, due));
        if (measuring) lateness.push(Math.max(0, now - due));
        void c.http.get('/readyz', TIMEOUT_MS).then((a) => {
          if (measuring && a._tag === 'Answered' && a.status === 200) probes++;
        });
      }, Math.max(0, due - Date.now())));
    };
    arm(Date.now());
  }
  await new Promise((r) => setTimeout(r, periodMs)); // warm-up: one probe each (TLS sessions, JIT)
  measuring = true;
  const w = await window(seconds);
  measuring = false;
  stopped = true;
  for (const t of timers.values()) clearTimeout(t);
  for (const c of clients) c.http.close();
  return { ...w, probes, lateness };
}

/** A quantile of a prom-client histogram, interpolated within its bucket (as Prometheus' histogram_quantile). */
async function histogramQuantile(h: Histogram, q: number): Promise<number> {
  const values = (await h.get()).values.filter((v) => v.metricName?.endsWith('_bucket'));
  const buckets = values.map((v) => ({ le: v.labels['le'] === '+Inf' ? Infinity : Number(v.labels['le']), count: v.value })).sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) return b.le === Infinity ? prevLe : prevLe + ((b.le - prevLe) * (rank - prevCount)) / Math.max(1, b.count - prevCount);
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

async function counterTotal(metrics: MetricsRegistry, name: string): Promise<number> {
  const m = metrics.getSingleMetric(name);
  return m === undefined ? 0 : (await m.get()).values.reduce((n, v) => n + v.value, 0);
}

export async function run(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 500);
  const periodMs = Number(args[1] ?? 10_000);
  const seconds = Number(args[2] ?? 40);
  const names = Array.from({ length: count }, (_, i) => `member-${String(i).padStart(3, '0')}`);
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-registry-'));
  const federation = `bench-registry-${randomUUID().slice(0, 8)}`;
  const redis = connectRedis(REDIS_URL, `bench-${federation}`);
  let sim: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    const started = await startSimulator(dir, names, { KFED_SIM_NODES: '3' }).then(({ proc, members }) => ({
      proc,
      members: members.map((m): Member => ({
        name: m.name, access: { cluster: m.name, server: m.server, caData: Buffer.from(m.ca).toString('base64'), token: m.token, insecureSkipTlsVerify: false },
      })),
    }));
    sim = started.proc;
    process.stdout.write(`simulator with ${count} clusters up in ${Math.round(performance.now() - t0)} ms; baseline for ${seconds} s\n`);

    const baseline = await bareProbes(started.members, periodMs, seconds);

    // The federation as `kfed join` leaves it: a sealed kubeconfig Secret and a Cluster per member.
    const key = generateKey();
    const sealer = E.getOrElseW((e: { message: string }) => { throw new Error(e.message); })(createSealer(key));
    const log = createEventLog(redis, federation);
    const applied = (o: KubeObject, group: string): NewEvent => {
      const ref = { group, kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' };
      const { data, ...rest } = o as KubeObject & { data?: unknown };
      const body = data === undefined ? { ref, object: o } : { ref, object: rest, sealed: sealer.seal(JSON.stringify(data), objectStream(ref)) };
      return { id: randomUUID(), type: 'ObjectApplied', time: new Date().toISOString(), correlationId: randomUUID(), causationId: null, actor: 'bench', data: body };
    };
    const requests = started.members.flatMap((m) => {
      const { secret, cluster } = joinObjects(m.name, { server: m.access.server, caData: m.access.caData ?? '', token: m.access.token ?? '' });
      return [
        { stream: objectStream({ group: '', kind: 'Secret', namespace: 'kfed-system', name: m.name }), expected: expectAny, events: [applied(secret, '')] },
        { stream: objectStream({ group: 'federation', kind: 'Cluster', namespace: '', name: m.name }), expected: expectAny, events: [applied(cluster, 'federation')] },
      ];
    });
    for (let i = 0; i < requests.length; i += 200) await log.appendBatch(requests.slice(i, i + 200));

    const logger = createLogger({ service: 'registry-bench', level: 'warn' });
    const bus = await connectBus({ url: NATS_URL, federation, logger, name: 'registry-bench' });
    const metrics = new MetricsRegistry();
    const registry = await start({
      redis, log, bus, logger, metrics, replica: 'bench', clock: () => new Date(), newId: randomUUID,
      unseal: (sealed, context) => E.getOrElseW(() => undefined)(sealer.unseal(sealed, context)),
      settings: {
        probe: { periodMs, timeoutMs: TIMEOUT_MS, failureThreshold: 3, successThreshold: 1 },
        nodesEvery: 6, clientAddress: '127.0.0.1', shards: 32, leaseTtlMs: Math.min(5000, Math.floor(periodMs / 2)),
      },
    });
    // Warm-up: every member probed and Ready, capacity recorded; then the steady state is measured.
    const warm = performance.now();
    while (await counterTotal(metrics, 'kfed_registry_condition_changes_total') < count) {
      if (performance.now() - warm > periodMs * 6) throw new Error('not every member became Ready within six periods');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, periodMs));
    metrics.resetMetrics();
    const measured = await window(seconds);
    const probes = await counterTotal(metrics, 'kfed_registry_probes_total');
    const healthy = (await (metrics.getSingleMetric('kfed_registry_probes_total')?.get()))?.values.find((v) => v.labels['result'] === 'healthy')?.value ?? 0;
    const appended = await counterTotal(metrics, 'kfed_registry_condition_changes_total') + await counterTotal(metrics, 'kfed_registry_capacity_changes_total');
    const lateness = metrics.getSingleMetric('kfed_registry_probe_lateness_seconds') as Histogram;
    const p50 = (await histogramQuantile(lateness, 0.5)) * 1000;
    const p99 = (await histogramQuantile(lateness, 0.99)) * 1000;
    await registry.stop();
    await bus.stop();

    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
    printTable(`registry: ${count} simulated clusters, period ${periodMs / 1000} s, ${Math.round(measured.seconds)} s measured after a warm-up period`, [
      { measure: 'CPU share of one core', registry: pct(measured.cpuShare), 'baseline (bare /readyz on the same timers)': pct(baseline.cpuShare), target: '< 10%' },
      { measure: 'probe lateness p50 (ms)', registry: p50.toFixed(1), 'baseline (bare /readyz on the same timers)': percentile(baseline.lateness, 50).toFixed(1), target: '' },
      { measure: 'probe lateness p99 (ms)', registry: p99.toFixed(1), 'baseline (bare /readyz on the same timers)': percentile(baseline.lateness, 99).toFixed(1), target: '< 1000' },
      { measure: 'probes per second', registry: (probes / measured.seconds).toFixed(1), 'baseline (bare /readyz on the same timers)': (baseline.probes / baseline.seconds).toFixed(1), target: `${(count / (periodMs / 1000)).toFixed(1)}` },
      { measure: 'healthy probes', registry: `${healthy} of ${probes}`, 'baseline (bare /readyz on the same timers)': `${baseline.probes}`, target: '' },
      { measure: 'events appended while steady', registry: appended, 'baseline (bare /readyz on the same timers)': '', target: '0' },
    ]);
    process.stdout.write('Registry lateness is interpolated from the kfed_registry_probe_lateness_seconds histogram; the baseline\'s is exact.\n');
  } finally {
    sim?.kill('SIGTERM');
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}
