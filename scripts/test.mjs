#!/usr/bin/env node
// `npm test`: everything a fresh clone needs, then the suite. Installs the dependencies if missing,
// builds and lints, and makes sure NATS (JetStream) and Redis answer: the ones at NATS_URL and
// REDIS_URL, else private servers started from the PATH on free ports for this run only.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const answers = (url) => new Promise((resolve) => {
  const u = new URL(url);
  const s = new Socket();
  const done = (ok) => { s.destroy(); resolve(ok); };
  s.setTimeout(1000, () => done(false));
  s.once('error', () => done(false));
  s.connect(Number(u.port), u.hostname, () => done(true));
});
const freePort = () => new Promise((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
});
const find = (name) => [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  .map((d) => join(d, name)).find((p) => existsSync(p));

if (!existsSync('node_modules/.bin/tap')) run(npm, ['ci', '--no-audit', '--no-fund']);
run(npm, ['run', 'build']);
run(npm, ['run', 'lint']);

const env = { ...process.env };
const started = [];
const scratch = mkdtempSync(join(tmpdir(), 'kfed-test-services-'));
const servers = [
  { variable: 'NATS_URL', url: env.NATS_URL ?? 'nats://127.0.0.1:4222', program: 'nats-server', pkg: 'nats-server',
    args: (port) => ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(scratch, 'nats')], scheme: 'nats' },
  { variable: 'REDIS_URL', url: env.REDIS_URL ?? 'redis://127.0.0.1:6379', program: 'redis-server', pkg: 'redis-server',
    args: (port) => ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', scratch], scheme: 'redis' },
];
for (const s of servers) {
  if (await answers(s.url)) { env[s.variable] = s.url; continue; }
  const bin = find(s.program);
  if (bin === undefined) {
    console.error(`npm test: nothing answers at ${s.variable}=${s.url} and ${s.program} is not installed: install it (Debian: apt-get install ${s.pkg}) or set ${s.variable}`);
    process.exit(1);
  }
  const port = await freePort();
  started.push(spawn(bin, s.args(port), { stdio: 'ignore' }));
  env[s.variable] = `${s.scheme}://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await answers(env[s.variable])); i++) await new Promise((r) => setTimeout(r, 100));
  console.error(`npm test: started a private ${s.program} at ${env[s.variable]}`);
}

const tap = spawn(join('node_modules', '.bin', 'tap'), process.argv.slice(2), { stdio: 'inherit', env });
const code = await new Promise((resolve) => tap.on('exit', (c) => resolve(c ?? 1)));
for (const p of started) p.kill();
rmSync(scratch, { recursive: true, force: true });
process.exit(code);
