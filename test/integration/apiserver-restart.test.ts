// Killed at any moment, the API server loses nothing: a restarted process serves every accepted
// write again from the log, and watches resume from resourceVersions handed out before the kill.
import t from 'tap';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../../libs/infra/crypto/seal.js';
import { testRedis } from '../support/federation.js';
import { kubeWatch } from '../support/kube-http.js';
import { kubectlFor } from '../support/kubectl.js';
import { startProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

t.test('kill -9 of the API server during writes, then a restart: every acknowledged write is there', async (t) => {
  const { federation } = testRedis(t, 'restart');
  const dir = await mkdtemp(join(tmpdir(), 'kfed-restart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const token = 'restart-test-token-0123456789';
  await writeFile(join(dir, 'tokens'), `${token},admin,admin\n`);
  const env = {
    KFED_FEDERATION: federation, KFED_API_PORT: '0', KFED_API_TLS_DIR: join(dir, 'tls'),
    KFED_API_TOKEN_FILE: join(dir, 'tokens'), KFED_ENCRYPTION_KEY: generateKey(),
  };
  const serving = (line: Record<string, unknown>) => line['msg'] === 'federation API serving';

  const writeKubeconfig = async (url: string): Promise<string> => {
    const ca = await readFile(join(dir, 'tls', 'ca.crt'));
    const path = join(dir, `kubeconfig-${url.split(':').pop()}`);
    await writeFile(path, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'federated-cluster',
      clusters: [{ name: 'f', cluster: { server: url, 'certificate-authority-data': ca.toString('base64') } }],
      users: [{ name: 'admin', user: { token } }],
      contexts: [{ name: 'federated-cluster', context: { cluster: 'f', user: 'admin', namespace: 'default' } }],
    }));
    return path;
  };

  const first = startProcess(t, 'services/apiserver/main.js', env);
  const url1 = (await first.waitForLine('serving', serving))['url'] as string;
  const k1 = kubectlFor(await writeKubeconfig(url1), dir);

  // Writes keep going while the process is killed; only acknowledged ones must survive.
  const acknowledged: string[] = [];
  let stop = false;
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const r = await k1.run(['create', 'configmap', `cm-${i}`, `--from-literal=i=${i}`]);
      if (r.code === 0) acknowledged.push(`cm-${i}`);
      else break;
    }
  })();
  await waitFor('a few acknowledged writes', () => acknowledged.length >= 5);
  const rvBeforeKill = (await k1.run(['get', 'configmap', 'cm-0', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
  t.equal(await first.kill('SIGKILL'), null, 'killed');
  stop = true;
  await writer;

  const second = startProcess(t, 'services/apiserver/main.js', env);
  const url2 = (await second.waitForLine('serving', serving))['url'] as string;
  const k2 = kubectlFor(await writeKubeconfig(url2), dir);
  const listed = (await k2.run(['get', 'configmaps', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(' ');
  for (const name of acknowledged) t.ok(listed.includes(name), `${name} survived`);
  t.equal(new Set(listed).size, listed.length, 'no duplicates');

  // A watch from a resourceVersion handed out before the kill replays what happened since.
  const ca = await readFile(join(dir, 'tls', 'ca.crt'), 'utf8');
  const w = kubeWatch({ url: url2, ca, token }, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rvBeforeKill}`);
  t.teardown(() => w.close());
  const watched = (): string[] => w.events.map((e) => e.object.metadata?.name ?? '');
  await waitFor('the resumed watch to replay later writes', () => acknowledged.slice(1).every((n) => watched().includes(n)));
  t.notOk(watched().includes('cm-0'), 'nothing at or before the resourceVersion is replayed');
  t.ok(w.events.every((e) => e.type === 'ADDED'), 'creations replay as ADDED');
});
