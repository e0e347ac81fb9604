// The syncer's member informer against a real Kubernetes API server (the API handler over https):
// the first list in pages, changes from the watch, a watch the server ends resumed without a relist,
// a version too old to resume from (410) listed again with the objects gone meanwhile reported
// deleted, and only what `keep` keeps in the cache.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import type { MemberAccess } from '../../libs/federation/member-access.js';
import { startMemberInformer, type InformerEvent } from '../../libs/infra/kube-client/informer.js';
import { memberObjects, type MemberObjects } from '../../libs/infra/kube-client/member-objects.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { keptCopy } from '../../libs/sync/kinds.js';
import { startKubeTestServer } from '../support/kube-test-server.js';
import { waitFor } from '../support/wait.js';

const configMap = (name: string, value: string, labels: Record<string, string> = { team: 'a' }): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: { value },
});

const must = async <A>(p: Promise<E.Either<{ message: string }, A>>): Promise<A> => {
  const r = await p;
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

t.test('lists in pages, follows the watch, resumes a watch the server ends, and relists after a 410', async (t) => {
  const server = await startKubeTestServer({ watchWindow: 3 });
  t.teardown(() => server.close());
  const access: MemberAccess = { cluster: 'east', server: server.url, caData: Buffer.from(server.caCert).toString('base64'), token: server.token, insecureSkipTlsVerify: false };
  const member = memberObjects(access, { fieldManager: 'kfed-test', requestTimeoutMs: 5000, maxSockets: 4 });
  t.teardown(() => member.close());

  for (let i = 0; i < 7; i++) await must(member.apply(configMap(`cm-${i}`, 'v1')));
  await must(member.apply(configMap('other-team', 'v1', { team: 'b' })));

  // The client the informer uses: the real member, with a count of requests and a way to hold the next watch back.
  let lists = 0;
  let watches = 0;
  let holdWatch: Promise<void> | undefined;
  const client: Pick<MemberObjects, 'listPage' | 'watch'> = {
    listPage: (path, q) => {
      lists++;
      return member.listPage(path, q);
    },
    watch: async (path, q, onEvent, signal, onOpen) => {
      watches++;
      if (holdWatch !== undefined) await holdWatch;
      return member.watch(path, q, onEvent, signal, onOpen);
    },
  };
  const events: { event: InformerEvent; name: string; value: unknown }[] = [];
  let connected = 0;
  const informer = startMemberInformer({
    client, path: '/api/v1/configmaps', labelSelector: 'team=a', keep: keptCopy, pageSize: 3,
    onEvent: (event, o) => events.push({ event, name: o.metadata.name ?? '', value: (o['data'] as { value?: string } | undefined)?.value }),
    onSynced: () => undefined,
    onError: () => undefined,
    onConnected: () => { connected++; },
    backoff: { initialMs: 50, maxMs: 200 },
  });
  t.teardown(() => informer.stop());

  t.equal(await informer.whenSynced(10_000), true, 'synced');
  t.equal(lists, 3, 'seven objects in pages of three: three requests');
  t.same([...informer.list()].map((o) => o.metadata.name).sort(), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6'], 'only the selected objects');
  t.equal(informer.get('default', 'cm-0')?.metadata.managedFields, undefined, 'managedFields are not kept');
  t.equal(informer.get('default', 'cm-0')?.metadata.uid !== undefined, true, 'the rest of the object is');
  t.equal(events.filter((e) => e.event === 'add').length, 7, 'each listed object is an add');
  await waitFor('the watch to open', () => connected >= 1);

  await must(member.apply(configMap('cm-0', 'v2')));
  await must(member.delete(configMap('cm-1', ''), undefined));
  await must(member.apply(configMap('cm-7', 'v1')));
  await waitFor('the watch to deliver three changes', () => events.length >= 10);
  t.same(events.slice(7).map((e) => [e.event, e.name]), [['update', 'cm-0'], ['delete', 'cm-1'], ['add', 'cm-7']]);
  t.equal((informer.get('default', 'cm-0')?.['data'] as { value: string }).value, 'v2');
  t.equal(informer.get('default', 'cm-1'), undefined);

  // The server ends the watch (an apiserver restart, a timeout): resumed from the last version, no relist.
  const watchesBefore = watches;
  server.endWatches();
  await waitFor('the watch to be resumed', () => watches > watchesBefore && connected >= 2);
  await must(member.apply(configMap('cm-2', 'v2')));
  await waitFor('the change after the resume', () => events.length >= 11);
  t.same(events[10], { event: 'update', name: 'cm-2', value: 'v2' });
  t.equal(lists, 3, 'a resumed watch does not list again');

  // Away for longer than the server keeps changes (a window of three): the resume gets a 410 and lists again.
  let release: () => void = () => undefined;
  holdWatch = new Promise((r) => { release = r; });
  const held = watches;
  server.endWatches();
  await waitFor('the informer to ask for its next watch', () => watches > held);
  await must(member.apply(configMap('cm-3', 'v2')));
  await must(member.delete(configMap('cm-4', ''), undefined));
  for (let i = 8; i < 12; i++) await must(member.apply(configMap(`cm-${i}`, 'v1')));
  holdWatch = undefined;
  release();
  await waitFor('the relist after the 410', () => lists > 3 && events.some((e) => e.event === 'delete' && e.name === 'cm-4'));
  const afterRelist = events.slice(11);
  t.same(afterRelist.filter((e) => e.event === 'delete').map((e) => e.name), ['cm-4'], 'the object deleted meanwhile is reported deleted');
  t.same(afterRelist.filter((e) => e.event === 'update').map((e) => e.name), ['cm-3'], 'the changed one as updated, the unchanged ones not at all');
  t.same(afterRelist.filter((e) => e.event === 'add').map((e) => e.name).sort(), ['cm-10', 'cm-11', 'cm-8', 'cm-9']);
  t.same([...informer.list()].map((o) => o.metadata.name).sort(), ['cm-0', 'cm-10', 'cm-11', 'cm-2', 'cm-3', 'cm-5', 'cm-6', 'cm-7', 'cm-8', 'cm-9']);

  // And it keeps watching after the relist.
  await must(member.apply(configMap('cm-5', 'v3')));
  await waitFor('a change after the relist', () => informer.get('default', 'cm-5')?.['data'] !== undefined
    && (informer.get('default', 'cm-5')?.['data'] as { value: string }).value === 'v3');
});

t.test('an unreachable member: errors with backoff, whenSynced times out, and stop ends the waits', async (t) => {
  const access: MemberAccess = { cluster: 'gone', server: 'https://127.0.0.1:1', token: 'secret-token-value', insecureSkipTlsVerify: true };
  const member = memberObjects(access, { fieldManager: 'kfed-test', requestTimeoutMs: 1000, maxSockets: 1 });
  t.teardown(() => member.close());
  const errors: { message: string; retryInMs: number }[] = [];
  const informer = startMemberInformer({
    client: member, path: '/api/v1/configmaps',
    onEvent: () => undefined, onSynced: () => undefined, onConnected: () => undefined,
    onError: (e, retryInMs) => errors.push({ message: e.message, retryInMs }),
    backoff: { initialMs: 20, maxMs: 80 },
  });
  t.equal(await informer.whenSynced(300), false, 'not synced within the wait');
  await waitFor('several failed lists', () => errors.length >= 4);
  t.same(errors.slice(0, 4).map((e) => e.retryInMs), [20, 40, 80, 80], 'doubling delays up to the maximum');
  t.notMatch(JSON.stringify(errors), /secret-token-value/, 'no credential in the errors');
  const waiting = informer.whenSynced(60_000);
  informer.stop();
  t.equal(await waiting, false, 'stop ends a wait for the first list');
  t.equal(informer.synced(), false);
});
