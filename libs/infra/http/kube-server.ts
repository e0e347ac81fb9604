// node:http(s) adapter for the Kubernetes API handler: bodies with a size limit, bearer tokens, streamed watches.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { ApiHandler } from '../../kube-api/handler.js';
import type { ApiResponse, UserInfo } from '../../kube-api/request.js';
import type { WatchEvent } from '../../kube-api/object.js';
import { internalError, requestEntityTooLarge, unauthorized } from '../../kube-api/status.js';
import type { Logger } from '../log/logger.js';
import { listen, urlHost } from './listen.js';

export interface KubeServerOptions {
  readonly handler: ApiHandler;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** PEM certificate chain and key; without them the server speaks plain http (kubectl then sends no tokens). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Maps a bearer token to its user; undefined rejects the request with 401. Without it access is anonymous. */
  readonly authenticate?: (bearerToken: string) => UserInfo | undefined | Promise<UserInfo | undefined>;
  /** Default 3 MiB, kube-apiserver's limit. */
  readonly bodyLimitBytes?: number;
  readonly logger?: Logger;
}

/**
 * A watch event as one JSON line. Watchers of one change receive the same object, so its line is
 * kept with it: a change fanned out to a thousand watchers is serialised once per event type.
 */
const lines = new WeakMap<object, Map<string, string>>();
function watchLine(event: WatchEvent): string {
  let byType = lines.get(event.object);
  if (byType === undefined) lines.set(event.object, (byType = new Map()));
  let line = byType.get(event.type);
  // One JSON document per line: client-node splits on `\n` and sees nothing without it.
  if (line === undefined) byType.set(event.type, (line = JSON.stringify(event) + '\n'));
  return line;
}

export interface KubeServer {
  readonly url: string;
  readonly port: number;
  /** Ends every open watch stream (clients re-watch from their last resourceVersion); the server keeps serving. */
  endWatches(): void;
  /** Ends open watches, stops accepting connections and closes the open ones. Idempotent. */
  close(): Promise<void>;
}

/** Paths served without credentials, as kube's public-info-viewer role allows (probes, the gcloud dispatcher). */
const publicPaths = new Set(['/version', '/healthz', '/livez', '/readyz']);

type Body = { readonly _tag: 'body'; readonly bytes: Uint8Array } | { readonly _tag: 'tooLarge' };

function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? '0') > limit) {
      resolve({ _tag: 'tooLarge' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        resolve({ _tag: 'tooLarge' });
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve({ _tag: 'body', bytes: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

function send(res: ServerResponse, r: Extract<ApiResponse, { _tag: 'complete' }>, head: boolean): void {
  res.writeHead(r.status, r.headers as Record<string, string | string[]>);
  res.end(head ? undefined : r.body);
}

export async function serveKubeApi(o: KubeServerOptions): Promise<KubeServer> {
  const limit = o.bodyLimitBytes ?? 3 * 1024 * 1024;
  const open = new Set<AbortController>();
  const watches = new Set<AbortController>();

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const head = req.method === 'HEAD';
    let user: UserInfo | undefined;
    if (o.authenticate !== undefined && !publicPaths.has(url.pathname)) {
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
      user = token === undefined ? undefined : await o.authenticate(token.trim());
      if (user === undefined) {
        send(res, json(unauthorized()), head);
        return;
      }
    }
    const body = await readBody(req, limit);
    if (body._tag === 'tooLarge') {
      res.setHeader('connection', 'close');
      send(res, json(requestEntityTooLarge(limit)), head);
      return;
    }
    const abort = new AbortController();
    open.add(abort);
    // req 'close' fires once the body is read; only the response's 'close' means the client went away.
    res.on('close', () => {
      open.delete(abort);
      // A finished response has nothing left to cancel (and aborting costs an exception object per request).
      if (!res.writableFinished) abort.abort();
    });
    const r = await o.handler({
      method: head ? 'GET' : req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: headersOf(req),
      ...(body.bytes.length > 0 ? { body: body.bytes } : {}),
      ...(user === undefined ? {} : { user }),
      signal: abort.signal,
    });
    if (r._tag === 'complete') {
      send(res, r, head);
      return;
    }
    await stream(res, r, abort);
  }

  async function stream(res: ServerResponse, r: Extract<ApiResponse, { _tag: 'watch' }>, abort: AbortController): Promise<void> {
    res.writeHead(r.status, { ...(r.headers as Record<string, string>), 'cache-control': 'no-cache, private' });
    res.flushHeaders(); // client-node's watch() waits for the headers before anything else
    const timer = r.timeoutSeconds === undefined ? undefined : setTimeout(() => abort.abort(), r.timeoutSeconds * 1000);
    watches.add(abort);
    try {
      for await (const event of r.events) {
        if (abort.signal.aborted) break;
        if (!res.write(watchLine(event))) {
          // Wait for the client to catch up, or for the watch to end; leave no listener behind either way.
          await new Promise<void>((resolve) => {
            const done = (): void => {
              res.off('drain', done);
              abort.signal.removeEventListener('abort', done);
              resolve();
            };
            res.once('drain', done);
            abort.signal.addEventListener('abort', done, { once: true });
          });
        }
      }
    } finally {
      watches.delete(abort);
      if (timer !== undefined) clearTimeout(timer);
      res.end();
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      o.logger?.error({ err: e, method: req.method, path: req.url }, 'request failed');
      if (!res.headersSent) send(res, json(internalError(message)), false);
      else res.destroy();
    });
  };
  const server: Server = o.tls === undefined ? createHttpServer(onRequest) : createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, onRequest);
  // Idle connections stay open 90 s, as kube-apiserver keeps them (k8s.io/apiserver secure serving: IdleTimeout
  // 90 s, matching Go's client keep-alive), not Node's 5 s: clients polling every few seconds reuse their TLS connection.
  server.keepAliveTimeout = 90_000;
  const host = o.host ?? '127.0.0.1';
  const listening = await listen(server, o.port, host);
  // A wildcard address is reached on loopback.
  const reachAt = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : urlHost(host);
  return {
    url: `${o.tls === undefined ? 'http' : 'https'}://${reachAt}:${listening.port}`,
    port: listening.port,
    endWatches: () => {
      for (const a of watches) a.abort();
    },
    close: () => {
      for (const a of open) a.abort();
      return listening.close();
    },
  };
}

function json(status: { code: number }): Extract<ApiResponse, { _tag: 'complete' }> {
  return { _tag: 'complete', status: status.code, headers: { 'content-type': 'application/json' }, body: JSON.stringify(status) };
}
