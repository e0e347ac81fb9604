// The baseline server of `npm run bench -- apiserver`: the federation's API handler over memory
// instead of the event log, https with a bearer token. Prints {"url", "ca"} once it listens.
import { randomUUID } from 'node:crypto';
import { federationAdmission } from '../libs/federation/admission.js';
import { federationTypes } from '../libs/federation/types.js';
import { versionInfo } from '../libs/kube-api/discovery.js';
import { createApiHandler } from '../libs/kube-api/handler.js';
import { MemoryStore } from '../libs/kube-api/memory-store.js';
import { serveKubeApi } from '../libs/infra/http/kube-server.js';
import { createCertificateAuthority } from '../libs/infra/tls/certificates.js';

const token = process.env.BENCH_TOKEN ?? '';
const ca = createCertificateAuthority({ now: new Date() });
const handler = createApiHandler({
  types: federationTypes, store: new MemoryStore(), clock: () => new Date(), newUid: randomUUID, version: versionInfo(),
  admission: [federationAdmission],
});
const server = await serveKubeApi({
  handler, port: 0, tls: ca.issue({ hosts: ['127.0.0.1'], now: new Date() }),
  authenticate: (t) => (t === token ? { name: 'admin' } : undefined),
});
process.stdout.write(JSON.stringify({ url: server.url, ca: ca.cert }) + '\n');
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
