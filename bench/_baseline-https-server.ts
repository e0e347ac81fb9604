// Baseline for the membersim benchmark: a bare node:https server answering every request with a fixed JSON body.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority } from '../libs/infra/tls/certificates.js';

const body = process.env['BASELINE_BODY'] ?? '{}';
const ca = createCertificateAuthority({ now: new Date() });
const server = createServer(ca.issue({ hosts: ['127.0.0.1'], now: new Date() }), (req, res) => {
  // Read the body as the API server would, then answer the same bytes every time.
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port, ca: ca.cert }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
