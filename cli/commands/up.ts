// `kfed up`: a whole federation on this machine — simulated member clusters, every service as its
// own supervised process, a kubeconfig with the federated-cluster context, the members joined.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { isDnsLabel } from '../../libs/config/codecs.js';
import type { Kubeconfig, NamedContext } from '../../libs/kubeconfig/kubeconfig.js';
import { defaultKubeconfigPath, mergeIntoKubeconfigFile, readKubeconfig } from '../../libs/infra/kubeconfig/file.js';
import { parseCommandArgs } from '../args.js';
import { ensureInfra } from '../up/infra.js';
import { federationFiles } from '../up/state.js';
import { supervise, type Supervised, type SupervisorEvents } from '../up/supervisor.js';
import { main as joinMain } from './join.js';

export const summary = 'start a local federation: simulated clusters and every service, with a kubectl context';

const HELP = `usage: kfed up [--clusters san-francisco,new-york,berlin] [--kubeconfig FILE] [--api-port N]
               [--no-join] [--federation ID] [--state-dir DIR]

Starts simulated member clusters and the federation's services (apiserver, registry, scheduler,
syncer, aggregator), each as its own process, restarted with backoff if it dies. Uses NATS and
Redis at NATS_URL and REDIS_URL (default 127.0.0.1:4222 and :6379); when nothing answers there,
starts private nats-server and redis-server from the PATH. Writes the contexts federated-cluster
(the federation) and one per member into the kubeconfig, and joins the members unless --no-join.
Ctrl-C stops everything.

  --clusters    member clusters to simulate (default san-francisco,new-york,berlin); see kfed sim
  --kubeconfig  kubeconfig to merge the contexts into (default $KUBECONFIG, else ~/.kube/config)
  --api-port    port of the federation API (default 8443)
  --no-join     do not register the members (create the Secrets and Clusters yourself, as in the article)
  --federation  federation id (default $KFED_FEDERATION or kfed)
  --state-dir   where keys, certificates, logs and private data live (default .kfed/<federation>)`;

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '..', '..');
const serviceEntry = (name: string): string => join(dist, 'services', name, 'main.js');

const jsonMsg = (msg: string) => (line: string): boolean => {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === msg;
  } catch {
    return false;
  }
};

/** Simulated members per simulator process. */
export const SIMULATOR_GROUP = 20;

/** Cluster specs split into simulator processes of at most SIMULATOR_GROUP, in order. */
export function simulatorGroups<A>(clusters: readonly A[]): A[][] {
  const groups: A[][] = [];
  for (let i = 0; i < clusters.length; i += SIMULATOR_GROUP) groups.push(clusters.slice(i, i + SIMULATOR_GROUP));
  return groups;
}

/**
 * The article switches between members with `kubectl config use-context newyork` (and sanfrancisco):
 * a member whose name has dashes also gets a context without them, pointing at the same cluster.
 */
export function memberAliases(cfg: Kubeconfig, members: readonly string[]): NamedContext[] {
  const contexts = cfg.contexts ?? [];
  return members.flatMap((m) => {
    const alias = m.replace(/-/g, '');
    const original = contexts.find((c) => c.name === m);
    if (alias === m || original === undefined || contexts.some((c) => c.name === alias && c.context.cluster !== original.context.cluster)) return [];
    return [{ name: alias, context: original.context }];
  });
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('up', HELP, args, {
    options: {
      clusters: { type: 'string', default: 'san-francisco,new-york,berlin' }, kubeconfig: { type: 'string' },
      'api-port': { type: 'string', default: '8443' }, 'no-join': { type: 'boolean', default: false },
      federation: { type: 'string', default: process.env.KFED_FEDERATION ?? 'kfed' }, 'state-dir': { type: 'string' },
    },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const opts = parsed.right.values;
  const federation = opts.federation;
  if (!isDnsLabel(federation)) {
    process.stderr.write(`kfed up: --federation must be a DNS-1123 label, got "${federation}"\n`);
    return 2;
  }
  const apiPort = Number(opts['api-port']);
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65535) {
    process.stderr.write(`kfed up: --api-port must be a port number, got "${opts['api-port']}"\n`);
    return 2;
  }
  const clusters = opts.clusters.split(',').map((c) => c.split(':')[0]?.trim() ?? '').filter((c) => c !== '');
  const kubeconfig = resolve(opts.kubeconfig ?? defaultKubeconfigPath(process.env));
  const files = federationFiles(resolve(opts['state-dir'] ?? join('.kfed', federation)));
  const say = (s: string): void => { process.stdout.write(`${s}\n`); };
  const started: Supervised[] = [];
  const events: SupervisorEvents = {
    onRestart: (name, how, attempt, delayMs) => say(`! ${name} ${how}; restarting in ${(delayMs / 1000).toFixed(1)} s (restart ${attempt}; log: ${join(files.logDir, `${name}.log`)})`),
    onReadyAgain: (name, attempt) => say(`✓ ${name} is back (restart ${attempt})`),
  };
  const stopAll = async (): Promise<void> => {
    for (const s of [...started].reverse()) await s.stop();
  };

  const shutdown = new AbortController();
  const stopped = new Promise<void>((res) => {
    const onSignal = (): void => {
      if (shutdown.signal.aborted) process.exit(1); // a second Ctrl-C: leave at once
      shutdown.abort();
      say('\nstopping the federation ...');
      void stopAll().then(res);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  try {
    say(`Starting federation "${federation}" (state in ${files.dir})`);
    const infra = await ensureInfra({
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      dataDir: files.dataDir, logDir: files.logDir, events, shutdown: shutdown.signal, say,
    });
    started.push(...infra.started);
    const common = {
      KFED_FEDERATION: federation, NATS_URL: infra.natsUrl, REDIS_URL: infra.redisUrl,
      KFED_ENCRYPTION_KEY: files.encryptionKey, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    const start = async (name: string, env: Record<string, string>, readyMsg: string, label: string, service = name): Promise<void> => {
      const s = supervise({ name, command: process.execPath, args: [serviceEntry(service)], env: { ...common, ...env }, ready: jsonMsg(readyMsg) }, files.logDir, events, shutdown.signal);
      started.push(s);
      await s.ready;
      say(`✓ ${label}`);
    };

    // Members are simulated SIMULATOR_GROUP to a process: like real members, a busy or collecting
    // one then holds up a few others at most, not the whole federation. One after the other, as
    // each merges its contexts into the kubeconfig.
    const groups = simulatorGroups(opts.clusters.split(',').filter((c) => c.trim() !== ''));
    for (const [i, group] of groups.entries()) {
      const names = group.map((c) => c.split(':')[0]?.trim() ?? '');
      await start(groups.length === 1 ? 'membersim' : `membersim-${i}`, {
        KFED_SIM_CLUSTERS: group.join(','), KFED_SIM_KUBECONFIG: kubeconfig,
        KFED_SIM_STATE: join(files.dir, groups.length === 1 ? 'simulator.json' : `simulator-${i}.json`),
      }, 'simulator started', `member clusters ${names.join(', ')} (simulated; contexts ${names.join(', ')})`, 'membersim');
    }
    await start('apiserver', {
      KFED_API_PORT: String(apiPort), KFED_API_TLS_DIR: files.tlsDir, KFED_API_TOKEN_FILE: files.tokenFile,
    }, 'federation API serving', `federation API https://127.0.0.1:${apiPort}`);
    // One replica each, restarted only once dead: a stable name lets a restarted service take its
    // shard leases back at once rather than wait for them to expire.
    for (const name of ['registry', 'scheduler', 'syncer', 'aggregator']) {
      await start(name, { KFED_REPLICA: `${name}-${hostname()}-${process.pid}` }, 'service started', name);
    }

    const ca = readFileSync(join(files.tlsDir, 'ca.crt'));
    const current = await readKubeconfig(kubeconfig);
    if (E.isLeft(current)) throw new Error(current.left);
    const aliases = memberAliases(current.right, clusters);
    const merged = await mergeIntoKubeconfigFile(kubeconfig, {
      clusters: [{ name: `kfed-${federation}`, cluster: { server: `https://127.0.0.1:${apiPort}`, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: `kfed-${federation}-admin`, user: { token: files.adminToken } }],
      contexts: [
        { name: 'federated-cluster', context: { cluster: `kfed-${federation}`, user: `kfed-${federation}-admin`, namespace: 'default' } },
        ...aliases,
      ],
      currentContext: 'federated-cluster',
    });
    if (E.isLeft(merged)) throw new Error(`could not write ${kubeconfig}: ${merged.left}`);
    const aliasNote = aliases.length === 0 ? '' : ` (and ${aliases.map((a) => a.name).join(', ')}, as the article spells them)`;
    say(`✓ kubeconfig ${kubeconfig}: context federated-cluster${aliasNote}`);

    if (!opts['no-join']) {
      for (const cluster of clusters) {
        say(`joining ${cluster}:`);
        const code = await joinMain([cluster, '--cluster-context', cluster, '--kubeconfig', kubeconfig, '--context', 'federated-cluster']);
        if (code !== 0) throw new Error(`joining ${cluster} failed (kfed join exited with ${code})`);
      }
    }
    say([
      '',
      `Federation "${federation}" is up. Try:`,
      '  kubectl --context=federated-cluster get clusters',
      `  kubectl --context=federated-cluster create -f examples/nginx.yaml`,
      '  kubectl --context=federated-cluster scale rs nginx --replicas=10',
      '  kubectl --context=federated-cluster apply -f examples/nginx-new-york.yaml',
      `  kubectl --context=${clusters[1] ?? clusters[0] ?? 'berlin'} get pods`,
      '  kfed history rs/nginx',
      `  kfed sim fault ${clusters[clusters.length - 1] ?? 'berlin'} offline`,
      '  kfed status',
      `Logs: ${files.logDir}. Ctrl-C stops the federation.`,
    ].join('\n'));
  } catch (err) {
    process.stderr.write(`kfed up: ${(err as Error).message}\n`);
    await stopAll();
    return 1;
  }
  await stopped;
  say('stopped');
  return 0;
}
