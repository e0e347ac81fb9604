// A TCP proxy in front of a real server, so a test can cut connections or delay the server's arrival.
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Starts accepting (again) on the same port. */
  listen(): Promise<void>;
  /** Drops every open connection; the listener stays up, so clients can reconnect. */
  cut(): void;
  close(): Promise<void>;
}

/** A proxy to host:port on a free local port; `listening: false` reserves the port but refuses connections until listen(). */
export async function tcpProxy(target: { host: string; port: number }, listening = true): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  const listenOn = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  await listenOn(0);
  const { port } = server.address() as AddressInfo;
  const cut = (): void => { for (const s of sockets) s.destroy(); };
  const close = (): Promise<void> => {
    cut();
    return server.listening ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
  };
  if (!listening) await close();
  return { port, listen: () => listenOn(port), cut, close };
}
