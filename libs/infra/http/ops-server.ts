// The ops HTTP server every service runs: /healthz (alive), /readyz (ready for work), /metrics (Prometheus).
import { createServer } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { listen, urlHost } from './listen.js';

export interface OpsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  readonly host: string;
  /** 0 picks a free port; the chosen one is in the result and logged. */
  readonly port: number;
  readonly ready: () => boolean;
  readonly metrics: Registry;
  readonly logger: Logger;
}

/** A per-service registry with Node's default metrics, every series labelled with the service name. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { metrics, ready, logger } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
    switch (path) {
      case '/healthz': return text(200, 'ok\n');
      case '/readyz': return ready() ? text(200, 'ok\n') : text(503, 'not ready\n');
      case '/metrics':
        metrics.metrics().then(
          (body) => text(200, body, metrics.contentType),
          (err: unknown) => {
            logger.error({ err }, 'collecting metrics failed');
            text(500, 'collecting metrics failed\n');
          },
        );
        return;
      default: return text(404, 'not found\n');
    }
  });
  const { port, close } = await listen(server, options.port, options.host);
  const url = `http://${urlHost(options.host)}:${port}`;
  logger.info({ url }, 'ops server listening');
  return { url, port, close };
}
