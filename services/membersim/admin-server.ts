// The simulator's admin endpoint (plain http on loopback, bearer token): list clusters, inject and clear faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { listen, urlHost } from '../../libs/infra/http/listen.js';
import type { Logger } from '../../libs/infra/log/logger.js';
import { FaultRequest, type AdminError, type ClusterStatus, type ClusterStatusList } from '../../libs/simulator/faults.js';

export interface AdminTarget {
  statuses(): ClusterStatus[];
  fault(cluster: string, r: FaultRequest): Promise<E.Either<{ readonly code: 400 | 404; readonly message: string }, ClusterStatus>>;
}

export interface AdminServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly target: AdminTarget;
  readonly logger: Logger;
}

function reply(res: ServerResponse, status: number, body: ClusterStatusList | ClusterStatus | AdminError): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.authorization !== `Bearer ${o.token}`) return reply(res, 401, { error: 'unauthorized: the admin token is in the kubeconfig extension' });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').filter((s) => s !== '');
    if (req.method === 'GET' && path.join('/') === 'v1/clusters') return reply(res, 200, { clusters: o.target.statuses() });
    const [v1, clusters, name, faults] = path;
    if (v1 !== 'v1' || clusters !== 'clusters' || name === undefined) return reply(res, 404, { error: 'not found' });
    if (req.method === 'GET' && faults === undefined) {
      const found = o.target.statuses().find((s) => s.name === name);
      return found === undefined ? reply(res, 404, { error: `no simulated cluster "${name}"` }) : reply(res, 200, found);
    }
    if (req.method !== 'POST' || faults !== 'faults' || path.length !== 4) return reply(res, 404, { error: 'not found' });
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return reply(res, 400, { error: 'the body is not JSON' });
    }
    const request = FaultRequest.decode(body);
    if (E.isLeft(request)) return reply(res, 400, { error: PathReporter.report(request).join('; ') });
    const r = await o.target.fault(name, request.right);
    if (E.isLeft(r)) return reply(res, r.left.code, { error: r.left.message });
    o.logger.info({ cluster: name, action: request.right.action, value: request.right.value }, 'fault requested');
    return reply(res, 200, r.right);
  }
  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      o.logger.error({ err, path: req.url }, 'admin request failed');
      if (!res.headersSent) reply(res, 500, { error: err instanceof Error ? err.message : String(err) });
    });
  });
  const { port, close } = await listen(server, o.port, o.host);
  return { url: `http://${urlHost(o.host)}:${port}`, port, close };
}
