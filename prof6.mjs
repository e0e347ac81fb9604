import { connectRedis } from './dist/libs/infra/redis/connection.js';
import { createEventLog } from './dist/libs/infra/redis/eventlog.js';
import { runProjection } from './dist/libs/infra/redis/projection-runner.js';
import { createLogger } from './dist/libs/infra/log/logger.js';
import { expectAny } from './dist/libs/events/envelope.js';
const redis = connectRedis('redis://127.0.0.1:6379', 'p');
const log = createEventLog(redis, 'prof6');
if (await log.head() === '0') {
  const body = { id: crypto.randomUUID(), type: 'ObjectApplied', time: new Date().toISOString(), correlationId: crypto.randomUUID(), causationId: null, actor: 'admin', data: { ref: {group:'apps',kind:'ReplicaSet',namespace:'default',name:'web-1'}, object: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'default', uid: crypto.randomUUID(), labels: { app: 'web' }, annotations: { a: 'x'.repeat(80) } }, spec: { replicas: 10, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } } } } };
  for (let i = 0; i < 200; i++) await log.appendBatch(Array.from({ length: 500 }, (_, j) => ({ stream: 's' + j, expected: expectAny, events: [body] })));
}
for (let k = 0; k < 3; k++) {
const t0 = performance.now();
const p = runProjection({ log, logger: createLogger({service:'x', level:'warn'}), projection: { name: 'c', initial: () => 0, evolve: (n) => n + 1 } });
await p.ready; console.log('replay', p.state(), (p.state() / ((performance.now() - t0) / 1000)).toFixed(0), '/s');
await p.stop();
}
redis.disconnect();
