// Realistic manifests shared by the validation tests: what a user would write for a production nginx.
import type { KubeObjectLike } from '../../libs/kube-api/apply.js';

export const richDeployment = (): KubeObjectLike => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'nginx', namespace: 'web', labels: { app: 'nginx', 'app.kubernetes.io/part-of': 'shop' },
    annotations: { 'federation.kubernetes.io/replica-set-preferences': '{"rebalance":true}' },
  },
  spec: {
    replicas: 3,
    revisionHistoryLimit: 5,
    progressDeadlineSeconds: 600,
    selector: { matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'nginx', tier: 'web' }, annotations: { 'prometheus.io/scrape': 'true' } },
      spec: {
        serviceAccountName: 'nginx',
        imagePullSecrets: [{ name: 'registry' }],
        securityContext: { runAsNonRoot: true, runAsUser: 101, fsGroup: 101, seccompProfile: { type: 'RuntimeDefault' } },
        terminationGracePeriodSeconds: 30,
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-1a', 'eu-1b'] }] }],
            },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { labelSelector: { matchLabels: { app: 'nginx' } }, topologyKey: 'kubernetes.io/hostname' },
            }],
          },
        },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
        topologySpreadConstraints: [{
          maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { app: 'nginx' } },
        }],
        initContainers: [{ name: 'init-config', image: 'busybox:1.36', command: ['sh', '-c', 'cp /src/* /dst/'],
          volumeMounts: [{ name: 'config', mountPath: '/src' }, { name: 'rendered', mountPath: '/dst' }] }],
        containers: [{
          name: 'nginx',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          args: ['-g', 'daemon off;'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token', optional: false } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
            { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { containerName: 'nginx', resource: 'limits.cpu' } } },
            { name: 'PLAIN', value: 'x' },
          ],
          envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'api' }, prefix: 'API_' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 'http', httpHeaders: [{ name: 'X-Probe', value: '1' }] }, initialDelaySeconds: 10, periodSeconds: 10 },
          readinessProbe: { tcpSocket: { port: 8080 }, failureThreshold: 3 },
          startupProbe: { exec: { command: ['cat', '/tmp/ready'] }, failureThreshold: 30 },
          lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
          volumeMounts: [
            { name: 'rendered', mountPath: '/etc/nginx/conf.d', readOnly: true },
            { name: 'cache', mountPath: '/var/cache/nginx' },
            { name: 'tls', mountPath: '/etc/tls', readOnly: true },
            { name: 'data', mountPath: '/data', subPath: 'nginx' },
            { name: 'token', mountPath: '/var/run/token' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: 'nginx-conf', items: [{ key: 'default.conf', path: 'default.conf' }], defaultMode: 420 } },
          { name: 'rendered', emptyDir: {} },
          { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'tls', secret: { secretName: 'nginx-tls', optional: true } },
          { name: 'data', persistentVolumeClaim: { claimName: 'nginx-data' } },
          { name: 'token', projected: { sources: [{ serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
            { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }] } },
        ],
      },
    },
  },
  status: { replicas: 3, readyReplicas: 3, conditions: [{ type: 'Available', status: 'True' }] },
});

export const service = (): KubeObjectLike => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 'nginx', namespace: 'web' },
  spec: { type: 'ClusterIP', selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'https', port: 443, targetPort: 8443 }] },
});

export const ingress = (): KubeObjectLike => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
  metadata: { name: 'nginx', namespace: 'web', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
  spec: {
    ingressClassName: 'nginx',
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx', port: { number: 80 } } } }] } }],
  },
});

/** The seed walkthrough's ReplicaSet, as written for the old extensions/v1beta1 API (no selector). */
export const legacyReplicaSet = (): KubeObjectLike => ({
  apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet',
  metadata: { name: 'nginx', namespace: 'default', annotations: { 'federation.kubernetes.io/replica-set-preferences': '{"rebalance": true}' } },
  spec: { replicas: 4, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } },
});
