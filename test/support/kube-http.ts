// Raw requests to a Kubernetes API over https (a private CA, a bearer token): for what kubectl cannot ask,
// such as a watch from a given resourceVersion.
import { request } from 'node:https';

export interface KubeEndpoint {
  readonly url: string;
  readonly ca: string;
  readonly token: string;
}

export interface WatchStream {
  readonly events: { type: string; object: { metadata?: { name?: string; resourceVersion?: string } } & Record<string, unknown> }[];
  close(): void;
}

export function kubeWatch(e: KubeEndpoint, path: string): WatchStream {
  const events: WatchStream['events'] = [];
  let buf = '';
  const req = request(`${e.url}${path}`, { ca: e.ca, headers: { authorization: `Bearer ${e.token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        events.push(JSON.parse(buf.slice(0, nl)) as WatchStream['events'][number]);
        buf = buf.slice(nl + 1);
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { events, close: () => req.destroy() };
}

/** GET of one path as JSON; undefined on 404. */
export function kubeGet(e: KubeEndpoint, path: string): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(`${e.url}${path}`, { ca: e.ca, headers: { authorization: `Bearer ${e.token}`, accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        if (res.statusCode === 404) resolve(undefined);
        else if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode ?? '?'} ${body}`));
        else resolve(JSON.parse(body) as Record<string, unknown>);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
