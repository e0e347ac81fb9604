// Binding an HTTP(S) server to host:port, and closing it without waiting for clients that keep connections alive.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  /** The port bound: the one picked when 0 was asked for. */
  readonly port: number;
  /** Stops accepting and drops the open connections (scrapers and watchers must not hold a shutdown up). Idempotent. */
  close(): Promise<void>;
}

/** Listens on host:port; rejects when the address cannot be bound. */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A host as it stands in a URL: an IPv6 address in brackets. */
export const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
