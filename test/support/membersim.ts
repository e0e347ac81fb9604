// Runs the member-cluster simulator in-process for a test, with its kubeconfig in a temporary directory.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { createLogger } from '../../libs/infra/log/logger.js';
import { compileClusters, parseClusterList } from '../../services/membersim/cluster-spec.js';
import { start, type Simulator, type SimulatorDeps } from '../../services/membersim/simulator.js';
import { kubectlFor, type KubectlResult } from './kubectl.js';

/** kubectl of one version at one context of a kubeconfig. */
export interface ContextKubectl {
  run(args: readonly string[], stdin?: string): Promise<KubectlResult>;
  spawn(args: readonly string[]): ChildProcess;
}

export function kubectlAt(kubeconfig: string, dir: string, context: string, version = '32'): ContextKubectl {
  const k = kubectlFor(kubeconfig, join(dir, `kubectl-${context}-${version}`));
  return {
    run: (args, stdin) => k.run(['--context', context, ...args], { version, ...(stdin === undefined ? {} : { stdin }) }),
    spawn: (args) => k.spawn(['--context', context, ...args], { version }),
  };
}

export interface TestSimulator {
  readonly sim: Simulator;
  readonly kubeconfig: string;
  readonly dir: string;
  /** A client-node KubeConfig loaded from the simulator's kubeconfig, at the cluster's context. */
  kubeConfig(cluster: string): k8s.KubeConfig;
}

/** `clusters` in KFED_SIM_CLUSTERS syntax; pods are ready after 100 ms unless the spec says otherwise. */
export async function startTestSimulator(
  t: { teardown(fn: () => unknown): void },
  clusters: string,
  deps: Partial<Omit<SimulatorDeps, 'clusters' | 'kubeconfigPath'>> = {},
): Promise<TestSimulator> {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-membersim-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const parsed = parseClusterList(clusters);
  if (parsed._tag === 'Left') throw new Error(parsed.left);
  const sim = await start({
    clusters: compileClusters(parsed.right, { nodes: 3, podsPerNode: 110, podReadyDelayMs: 100, basePort: 0 }),
    logger: createLogger({ service: 'membersim', level: 'silent' }),
    kubeconfigPath: kubeconfig,
    ...deps,
  });
  t.teardown(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    sim, kubeconfig, dir,
    kubeConfig: (cluster) => {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      kc.setCurrentContext(cluster);
      return kc;
    },
  };
}
