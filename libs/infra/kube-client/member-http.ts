// Plain GETs to a member's API server with its kubeconfig's TLS settings and credentials (probes, small reads).
// Failures come back as values in words; a Node error (which may quote a request) never leaves this module.
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import type { MemberAccess } from '../../federation/member-access.js';

export type MemberAnswer =
  | { readonly _tag: 'Answered'; readonly status: number; readonly body: string }
  | { readonly _tag: 'Unreachable'; readonly reason: string };

export interface MemberHttp {
  /** GET `path`; no complete answer within `timeoutMs` (or `signal` aborting) is Unreachable. */
  get(path: string, timeoutMs: number, signal?: AbortSignal): Promise<MemberAnswer>;
  /** Closes the idle connections. */
  close(): void;
}

/** Larger bodies are cut off (a node list page of 500 nodes stays far below). */
const MAX_BODY = 32 * 1024 * 1024;

const tlsFailures = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** What a connection error means, in words, from its code only. */
export function unreachableReason(code: string | undefined, timeoutMs: number): string {
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': case 'EPIPE': return 'connection reset';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'no route to host';
    case 'ETIMEDOUT': case 'KFED_TIMEOUT': return `no answer within ${timeoutMs} ms`;
    case 'KFED_ABORTED': return 'probe cancelled';
    case 'KFED_TOO_LARGE': return `answer larger than ${MAX_BODY} bytes`;
    default:
      return code !== undefined && tlsFailures.test(code) ? `TLS handshake failed (${code})` : `connection failed (${code ?? 'unknown error'})`;
  }
}

const pem = (base64: string | undefined): string | undefined => (base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8'));

/** One keep-alive connection pool per member, with its CA, client certificate and token. */
export function memberHttp(access: MemberAccess): MemberHttp {
  const url = new URL(access.server);
  const secure = url.protocol === 'https:';
  const base = url.pathname.replace(/\/$/, '');
  const ca = pem(access.caData);
  const cert = pem(access.clientCertData);
  const key = pem(access.clientKeyData);
  // One TLS context per member: built per connection, parsing the CA and key would cost more than the probe.
  const agent = secure
    ? new https.Agent({
      keepAlive: true, maxSockets: 4, rejectUnauthorized: !access.insecureSkipTlsVerify,
      secureContext: tls.createSecureContext({
        ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }),
      }),
    })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const headers: Record<string, string> = { accept: 'application/json, */*', 'user-agent': 'kfed-registry' };
  if (access.token !== undefined) headers['authorization'] = `Bearer ${access.token}`;

  const send = (path: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<MemberAnswer> => new Promise<MemberAnswer>((resolve) => {
    let settled = false;
    const finish = (answer: MemberAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const fail = (code: string | undefined): void => finish({ _tag: 'Unreachable', reason: unreachableReason(code, timeoutMs) });
    const req = (secure ? https : http).request({
      protocol: url.protocol, hostname: url.hostname, port: url.port, path: `${base}${path}`, method: 'GET', headers, agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          req.destroy();
          fail('KFED_TOO_LARGE');
        } else chunks.push(chunk);
      });
      res.on('end', () => finish({ _tag: 'Answered', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err: NodeJS.ErrnoException) => fail(err.code));
    });
    const timer = setTimeout(() => {
      req.destroy();
      fail('KFED_TIMEOUT');
    }, timeoutMs);
    const onAbort = (): void => {
      req.destroy();
      fail('KFED_ABORTED');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code));
    req.end();
  });

  return {
    get: (path, timeoutMs, signal) => (signal?.aborted === true
      ? Promise.resolve({ _tag: 'Unreachable', reason: unreachableReason('KFED_ABORTED', timeoutMs) })
      : send(path, timeoutMs, signal)),
    close: () => agent.destroy(),
  };
}
