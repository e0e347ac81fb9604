// The nodes of a simulated cluster: names, topology labels from the cluster's spec, capacity, addresses.
import type { KubeObject } from '../../libs/kube-api/object.js';
import type { ClusterSpec } from './cluster-spec.js';

export const kubeletVersion = 'v1.32.0';

export const nodeName = (cluster: string, i: number): string => `${cluster}-node-${i + 1}`;
/** Node i's InternalIP; its pods get addresses from 10.244.i.0/24. */
export const nodeIP = (i: number): string => `172.18.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`;
export const podIP = (nodeIndex: number, n: number): string => `10.${244 + Math.floor(nodeIndex / 256)}.${nodeIndex % 256}.${(n % 253) + 2}`;

export function simulatedNodes(spec: ClusterSpec): KubeObject[] {
  return Array.from({ length: spec.nodes }, (_, i) => {
    const name = nodeName(spec.name, i);
    const zone = spec.zones[i % spec.zones.length] ?? spec.region;
    const resources = { cpu: '8', memory: '32Gi', 'ephemeral-storage': '100Gi', pods: String(spec.podsPerNode) };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': 'kfed-sim',
          'topology.kubernetes.io/region': spec.region,
          'topology.kubernetes.io/zone': zone,
        },
      },
      spec: { podCIDR: `10.${244 + Math.floor(i / 256)}.${i % 256}.0/24`, providerID: `kfed-sim://${spec.name}/${name}` },
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
          { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ],
        addresses: [{ type: 'InternalIP', address: nodeIP(i) }, { type: 'Hostname', address: name }],
        nodeInfo: {
          kubeletVersion, kubeProxyVersion: kubeletVersion, osImage: 'kfed simulated node', kernelVersion: '6.1.0-kfed-sim',
          containerRuntimeVersion: 'containerd://1.7.0-kfed-sim', operatingSystem: 'linux', architecture: 'amd64',
          machineID: '', systemUUID: '', bootID: '',
        },
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    };
  });
}
