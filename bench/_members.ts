// Simulated members for the benchmarks: start a simulator process, read its clusters' access, and
// watch their Deployments to see when a change arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';
import type { KubeObject } from '../libs/kube-api/object.js';
import { Kubeconfig } from '../libs/kubeconfig/kubeconfig.js';
import { SimulatorState } from '../libs/simulator/faults.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export interface Member { readonly name: string; readonly server: string; readonly ca: string; readonly token: string }

/** The clusters a simulator wrote to its state file, with the CA and token its kubeconfig holds for each. */
export async function readMembers(statePath: string, kubeconfigPath: string): Promise<Member[]> {
  const decoded = SimulatorState.decode(JSON.parse(await readFile(statePath, 'utf8')));
  const cfg = Kubeconfig.decode(parse(await readFile(kubeconfigPath, 'utf8')));
  if (E.isLeft(decoded) || E.isLeft(cfg)) throw new Error(`unreadable simulator state ${statePath} or kubeconfig ${kubeconfigPath}`);
  return decoded.right.clusters.map((c) => {
    const cluster = cfg.right.clusters?.find((x) => x.name === c.name)?.cluster;
    const user = cfg.right.users?.find((u) => u.name === `${c.name}-admin`)?.user;
    return { name: c.name, server: c.server, ca: Buffer.from(cluster?.['certificate-authority-data'] ?? '', 'base64').toString(), token: user?.token ?? '' };
  });
}

/** Waits for a file to appear while `proc` lives. */
export async function untilFile(path: string, proc: ChildProcess): Promise<void> {
  while (!existsSync(path)) {
    if (proc.exitCode !== null) throw new Error(`${proc.spawnfile} exited with ${proc.exitCode} before writing ${path}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One simulator process serving the named members (a count: member-0 …); env adds KFED_SIM_* settings. */
export async function startSimulator(dir: string, clusters: number | readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ proc: ChildProcess; members: Member[] }> {
  const list = typeof clusters === 'number' ? Array.from({ length: clusters }, (_, i) => `member-${i}`) : clusters;
  const state = join(dir, `sim-${list.length}-${randomUUID().slice(0, 6)}.json`);
  const kubeconfig = `${state}.kubeconfig`;
  const names = list.join(',');
  const proc = spawn(process.execPath, [join(here, '../services/membersim/main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', KFED_SIM_CLUSTERS: names, KFED_SIM_STATE: state, KFED_SIM_KUBECONFIG: kubeconfig, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await untilFile(state, proc);
  return { proc, members: await readMembers(state, kubeconfig) };
}

/**
 * Watches every member's Deployments in `default`; calls `seen(cluster, name, replicas, at)` on each
 * ADDED or MODIFIED, `at` being when the event arrived (performance.now()). A watch the member ends
 * is opened again (its first events then list what is there). Returns a function that stops them all.
 */
export function watchMembers(members: readonly Member[], seen: (cluster: string, name: string, replicas: number, at: number) => void): () => void {
  let stopped = false;
  const open = new Set<ClientRequest>();
  const watch = (m: Member, agent: Agent): void => {
    let buf = '';
    let ended = false;
    const req = request(`${m.server}/apis/apps/v1/namespaces/default/deployments?watch=true`, { agent, headers: { authorization: `Bearer ${m.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const e = JSON.parse(buf.slice(0, nl)) as { type: string; object: KubeObject };
          buf = buf.slice(nl + 1);
          if (e.type === 'ADDED' || e.type === 'MODIFIED') seen(m.name, e.object.metadata.name ?? '', (e.object['spec'] as { replicas?: number }).replicas ?? 0, at);
        }
      });
      res.on('end', () => again());
    });
    const again = (): void => {
      if (ended) return;
      ended = true;
      open.delete(req);
      if (!stopped) setTimeout(() => watch(m, agent), 100);
    };
    req.on('error', () => again());
    req.end();
    open.add(req);
  };
  for (const m of members) watch(m, new Agent({ ca: m.ca, keepAlive: true }));
  return () => {
    stopped = true;
    open.forEach((r) => r.destroy());
  };
}
