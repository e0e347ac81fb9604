// NATS subjects: one builder, federation-scoped, tokens validated, wildcards only where asked for.
import t from 'tap';
import { InvalidSubjectToken, isConcrete, subjects, subjectTail } from '../../../libs/infra/nats/subjects.js';

t.test('every family builds kfed.<federation>.<area>.<verb>[.<tail>]', async (t) => {
  const s = subjects('fed-1');
  const table: [string, string][] = [
    [s.log.appended(), 'kfed.fed-1.log.appended'],
    [s.desired.apply(), 'kfed.fed-1.desired.apply'],
    [s.desired.delete(), 'kfed.fed-1.desired.delete'],
    [s.cluster.health('berlin'), 'kfed.fed-1.cluster.health.berlin'],
    [s.cluster.sync('paris-2'), 'kfed.fed-1.cluster.sync.paris-2'],
    [s.member.status('berlin'), 'kfed.fed-1.member.status.berlin'],
    [s.member.resync(), 'kfed.fed-1.member.resync'],
    [s.replicas.heartbeat('syncer'), 'kfed.fed-1.replicas.heartbeat.syncer'],
    [s.replicas.left('syncer'), 'kfed.fed-1.replicas.left.syncer'],
    [s.reconcile('scheduler'), 'kfed.fed-1.scheduler.reconcile'],
  ];
  for (const [built, expected] of table) {
    t.equal(built, expected);
    t.ok(isConcrete(built), `${built} can be published to`);
  }
  t.equal(new Set(table.map(([b]) => b)).size, table.length, 'all distinct');
});

t.test('wildcards for subscribing', async (t) => {
  const s = subjects('fed-1');
  t.equal(s.cluster.health('*'), 'kfed.fed-1.cluster.health.*');
  t.equal(s.replicas.heartbeat('*'), 'kfed.fed-1.replicas.heartbeat.*');
  t.equal(s.all(), 'kfed.fed-1.>');
  t.notOk(isConcrete(s.cluster.sync('*')));
  t.notOk(isConcrete(s.all()));
});

t.test('federations never share a subject', async (t) => {
  t.not(subjects('a').log.appended(), subjects('b').log.appended());
  t.not(subjects('a').cluster.health('b'), subjects('a-b').cluster.health('b'));
});

t.test('federation, cluster and role names must be DNS-1123 labels', async (t) => {
  const bad = ['', 'Berlin', 'a.b', 'a b', 'a*', '>', 'a>', '-a', 'a-', 'a_b', 'a'.repeat(64)];
  for (const name of bad) {
    t.throws(() => subjects(name), InvalidSubjectToken, `federation ${JSON.stringify(name)}`);
    t.throws(() => subjects('fed').cluster.health(name), InvalidSubjectToken, `cluster ${JSON.stringify(name)}`);
    t.throws(() => subjects('fed').replicas.heartbeat(name), InvalidSubjectToken, `role ${JSON.stringify(name)}`);
  }
  t.doesNotThrow(() => subjects('a'.repeat(63)).cluster.health('b'.repeat(63)));
  t.throws(() => subjects('fed').cluster.health('a.b'), /"a\.b".*DNS-1123/);
});

t.test('reconcile areas are plain tokens and not subject families', async (t) => {
  for (const area of ['', 'a.b', '*', 'Sched', 'log', 'cluster', 'replicas', 'desired']) {
    t.throws(() => subjects('fed').reconcile(area), InvalidSubjectToken, JSON.stringify(area));
  }
});

t.test('subjectTail gives the cluster or role a wildcard matched', async (t) => {
  t.equal(subjectTail(subjects('fed').cluster.health('berlin')), 'berlin');
  t.equal(subjectTail(subjects('fed').replicas.left('syncer')), 'syncer');
});
