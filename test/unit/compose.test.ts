// compose.yaml runs what the repository builds: every kfed service's command names an entry point
// that exists, every service of the repository is in it, and the servers keep their data.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const repo = join(import.meta.dirname, '..', '..');
const compose = parse(readFileSync(join(repo, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; image?: string; environment?: Record<string, string> }>;
};

t.test('each kfed service runs an entry point built from services/<name>/main.ts', async (t) => {
  const kfedServices = Object.entries(compose.services).filter(([, s]) => s.image === 'kfed:latest');
  t.ok(kfedServices.length > 0);
  for (const [name, s] of kfedServices) {
    const entry = s.command?.[1] ?? '';
    t.match(entry, /^dist\/services\/[a-z]+\/main\.js$/, `${name} runs a service`);
    const source = entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    t.ok(existsSync(join(repo, source)), `${name}: ${source} exists`);
    t.equal(s.environment?.['NATS_URL'], 'nats://nats:4222', `${name} reaches NATS`);
  }
  const inRepo = readdirSync(join(repo, 'services')).filter((d) => existsSync(join(repo, 'services', d, 'main.ts')));
  t.same(kfedServices.map(([n]) => n).sort(), inRepo.sort(), 'every service of the repository runs in compose');
});

t.test('NATS runs JetStream on a volume and Redis keeps an append-only file', async (t) => {
  t.same(compose.services['nats']?.command, ['-js', '-sd', '/data']);
  t.match(compose.services['redis']?.command?.join(' ') ?? '', /--appendonly yes/);
});
