// NATS and Redis for `kfed up`: the ones at NATS_URL / REDIS_URL when they answer, else private
// servers started from the PATH on free ports, with their data under the federation's directory.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { supervise, type Supervised, type SupervisorEvents } from './supervisor.js';

export function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 4222));
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, u.hostname, () => done(true));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A program on the PATH, or in the sbin directories Debian installs servers to. */
export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

export interface Infra {
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** Servers kfed up started itself (empty when both were already running). */
  readonly started: readonly Supervised[];
}

const installHint = (pkg: string): string => `install it (Debian/Ubuntu: sudo apt-get install ${pkg}; macOS: brew install ${pkg})`;

export async function ensureInfra(o: {
  natsUrl: string; redisUrl: string; dataDir: string; logDir: string; events: SupervisorEvents; say: (s: string) => void;
}): Promise<Infra> {
  const started: Supervised[] = [];
  let natsUrl = o.natsUrl;
  let redisUrl = o.redisUrl;
  if (await answers(natsUrl)) o.say(`NATS      ${natsUrl} (already running)`);
  else {
    const bin = findProgram('nats-server');
    if (bin === undefined) throw new Error(`nothing answers at NATS_URL=${natsUrl} and nats-server is not installed: ${installHint('nats-server')}, or point NATS_URL at a running server`);
    const port = await freePort();
    const dir = join(o.dataDir, 'nats');
    mkdirSync(dir, { recursive: true });
    started.push(supervise({
      name: 'nats-server', command: bin, args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
      env: {}, ready: (l) => l.includes('Server is ready'),
    }, o.logDir, o.events));
    natsUrl = `nats://127.0.0.1:${port}`;
    o.say(`NATS      ${natsUrl} (started: nothing answered at ${o.natsUrl})`);
  }
  if (await answers(redisUrl)) o.say(`Redis     ${redisUrl} (already running)`);
  else {
    const bin = findProgram('redis-server');
    if (bin === undefined) throw new Error(`nothing answers at REDIS_URL=${redisUrl} and redis-server is not installed: ${installHint('redis-server')}, or point REDIS_URL at a running server`);
    const port = await freePort();
    const dir = join(o.dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    started.push(supervise({
      name: 'redis-server', command: bin,
      args: ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', ''],
      env: {}, ready: (l) => l.includes('Ready to accept connections'),
    }, o.logDir, o.events));
    redisUrl = `redis://127.0.0.1:${port}`;
    o.say(`Redis     ${redisUrl} (started, data in ${dir})`);
  }
  await Promise.all(started.map((s) => s.ready));
  return { natsUrl, redisUrl, started };
}
