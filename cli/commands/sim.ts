// `kfed sim`: run simulated member clusters in the foreground, and inject faults into running ones through their kubeconfig.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { clusterExtension } from '../../libs/kubeconfig/kubeconfig.js';
import { defaultKubeconfigPath, readKubeconfig } from '../../libs/infra/kubeconfig/file.js';
import {
  AdminError, ClusterStatus, ClusterStatusList, describeFault, faultActions, SimulatorExtension, simulatorExtensionName,
  type FaultAction, type FaultRequest,
} from '../../libs/simulator/faults.js';
import { columns } from '../columns.js';

export const summary = 'simulated member clusters: `sim start` runs them, `sim fault CLUSTER ACTION` breaks and mends them';

const usage = `usage:
  kfed sim start [--clusters SPEC] [--kubeconfig FILE] [--base-port N] [--nodes N] [--pods-per-node N] [--ready-delay-ms N]
      Runs simulated clusters in the foreground (Ctrl-C stops them) and merges one context per cluster into
      the kubeconfig. SPEC: "berlin,new-york:nodes=2:podsPerNode=3" (default san-francisco,new-york,berlin).
  kfed sim fault CLUSTER ACTION [ARG] [--kubeconfig FILE]
      ACTION: offline | online | unhealthy | healthy | latency MS | write-errors FRACTION | close-watches
  kfed sim status [--kubeconfig FILE]
      Lists the simulated clusters of the kubeconfig's simulator and their faults.
The kubeconfig defaults to $KUBECONFIG, else ~/.kube/config.`;

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string>;
}

const flagNames = ['kubeconfig', 'clusters', 'base-port', 'nodes', 'pods-per-node', 'ready-delay-ms'];

function parseArgs(args: readonly string[]): E.Either<string, Parsed> {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!flagNames.includes(name)) return E.left(`unknown option ${a}`);
    const value = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (value === undefined || value === '') return E.left(`option --${name} needs a value`);
    flags.set(name, value);
  }
  return E.right({ positional, flags });
}

function faultRequest(action: string, arg: string | undefined): E.Either<string, FaultRequest> {
  if (!(faultActions as readonly string[]).includes(action)) return E.left(`unknown action "${action}" (one of ${faultActions.join(', ')})`);
  const a = action as FaultAction;
  if (a === 'latency' || a === 'write-errors') {
    const value = Number(arg);
    if (arg === undefined || arg.trim() === '' || !Number.isFinite(value)) {
      return E.left(a === 'latency' ? 'latency needs milliseconds, e.g. `latency 200`' : 'write-errors needs a fraction, e.g. `write-errors 0.5`');
    }
    return E.right({ action: a, value });
  }
  return arg === undefined ? E.right({ action: a }) : E.left(`${a} takes no argument (got "${arg}")`);
}

interface Admin {
  readonly extension: SimulatorExtension;
  call<A>(method: 'GET' | 'POST', path: string, codec: t.Type<A>, body?: unknown): Promise<E.Either<string, A>>;
}

/** The simulator behind a kubeconfig cluster, from the cluster entry's kfed.io/simulator extension. */
async function findSimulator(kubeconfig: string, cluster: string): Promise<E.Either<string, Admin>> {
  const cfg = await readKubeconfig(kubeconfig);
  if (E.isLeft(cfg)) return cfg;
  const ext = clusterExtension(cfg.right, cluster, simulatorExtensionName);
  if (E.isLeft(ext)) {
    return E.left(ext.left._tag === 'UnknownCluster'
      ? `no context or cluster "${cluster}" in ${kubeconfig} (known: ${ext.left.known.join(', ') || 'none'})`
      : `cluster "${ext.left.cluster}" in ${kubeconfig} was not started by the kfed simulator (no ${simulatorExtensionName} extension)`);
  }
  const decoded = SimulatorExtension.decode(ext.right);
  if (E.isLeft(decoded)) return E.left(`the ${simulatorExtensionName} extension of "${cluster}" in ${kubeconfig} is malformed: ${PathReporter.report(decoded).join('; ')}`);
  const extension = decoded.right;
  return E.right({
    extension,
    call: async (method, path, codec, body) => {
      let res: Response;
      try {
        res = await fetch(`${extension.admin}${path}`, {
          method,
          headers: { authorization: `Bearer ${extension.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
        return E.left(`the simulator at ${extension.admin} is not reachable (${cause}): is it still running?`);
      }
      const payload: unknown = await res.json().catch(() => undefined);
      if (!res.ok) {
        const err = AdminError.decode(payload);
        return E.left(`the simulator answered ${res.status}: ${E.isRight(err) ? err.right.error : res.statusText}`);
      }
      const r = codec.decode(payload);
      return E.isLeft(r) ? E.left(`unexpected answer from the simulator: ${PathReporter.report(r).join('; ')}`) : E.right(r.right);
    },
  });
}

async function fault(p: Parsed): Promise<number> {
  const [, cluster, action, arg, ...extra] = p.positional;
  if (cluster === undefined || action === undefined || extra.length > 0) return fail(2, usage);
  const request = faultRequest(action, arg);
  if (E.isLeft(request)) return fail(2, `kfed sim fault: ${request.left}\n\n${usage}`);
  const kubeconfig = p.flags.get('kubeconfig') ?? defaultKubeconfigPath(process.env);
  const admin = await findSimulator(kubeconfig, cluster);
  if (E.isLeft(admin)) return fail(1, `kfed sim fault: ${admin.left}`);
  const name = admin.right.extension.cluster;
  const r = await admin.right.call('POST', `/v1/clusters/${encodeURIComponent(name)}/faults`, ClusterStatus, request.right);
  if (E.isLeft(r)) return fail(1, `kfed sim fault: ${r.left}`);
  console.log(describeFault(name, request.right, r.right));
  return 0;
}

async function status(p: Parsed): Promise<number> {
  const kubeconfig = p.flags.get('kubeconfig') ?? defaultKubeconfigPath(process.env);
  const cfg = await readKubeconfig(kubeconfig);
  if (E.isLeft(cfg)) return fail(1, `kfed sim status: ${cfg.left}`);
  const simulated = (cfg.right.clusters ?? []).filter((c) => (c.cluster.extensions ?? []).some((x) => x.name === simulatorExtensionName));
  const first = simulated[0];
  if (first === undefined) return fail(1, `kfed sim status: no simulated cluster in ${kubeconfig}`);
  const admin = await findSimulator(kubeconfig, first.name);
  if (E.isLeft(admin)) return fail(1, `kfed sim status: ${admin.left}`);
  const r = await admin.right.call('GET', '/v1/clusters', ClusterStatusList);
  if (E.isLeft(r)) return fail(1, `kfed sim status: ${r.left}`);
  process.stdout.write(columns(['CLUSTER', 'SERVER', 'FAULTS'], r.right.clusters.map((c) => {
    const f = c.faults;
    const faults = [f.offline ? 'offline' : 'online', ...(f.unhealthy ? ['unhealthy'] : []),
      ...(f.latencyMs > 0 ? [`latency ${f.latencyMs} ms`] : []), ...(f.writeErrorFraction > 0 ? [`write-errors ${f.writeErrorFraction}`] : [])];
    return [c.name, c.server, faults.join(', ')];
  })));
  return 0;
}

/** Runs the membersim service from the build next to this command, in the foreground. */
async function startSimulator(p: Parsed): Promise<number> {
  if (p.positional.length > 1) return fail(2, usage);
  const env: Record<string, string> = { KFED_SIM_KUBECONFIG: p.flags.get('kubeconfig') ?? defaultKubeconfigPath(process.env) };
  const vars: Record<string, string> = {
    clusters: 'KFED_SIM_CLUSTERS', 'base-port': 'KFED_SIM_BASE_PORT', nodes: 'KFED_SIM_NODES',
    'pods-per-node': 'KFED_SIM_PODS_PER_NODE', 'ready-delay-ms': 'KFED_SIM_POD_READY_DELAY_MS',
  };
  for (const [flag, variable] of Object.entries(vars)) {
    const v = p.flags.get(flag);
    if (v !== undefined) env[variable] = v;
  }
  const main = fileURLToPath(new URL('../../services/membersim/main.js', import.meta.url));
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: 'inherit' });
  // The child gets Ctrl-C from the terminal itself; a SIGTERM to kfed is passed on.
  const forward = (): void => { child.kill('SIGTERM'); };
  process.on('SIGTERM', forward);
  process.on('SIGINT', () => undefined);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function fail(code: number, message: string): number {
  console.error(message);
  return code;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const parsed = parseArgs(args);
  if (E.isLeft(parsed)) return fail(2, `kfed sim: ${parsed.left}\n\n${usage}`);
  switch (parsed.right.positional[0]) {
    case 'fault': return fault(parsed.right);
    case 'status': return status(parsed.right);
    case 'start': return startSimulator(parsed.right);
    case 'help':
    case undefined:
      console.log(usage);
      return parsed.right.positional[0] === undefined ? 2 : 0;
    default: return fail(2, `kfed sim: unknown subcommand "${parsed.right.positional[0]}"\n\n${usage}`);
  }
}
