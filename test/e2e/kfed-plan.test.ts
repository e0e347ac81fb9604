// `kfed plan` as users run it: the built CLI (dist/, built by `npm test`) with a file, an array, stdin and bad input.
import { join } from 'node:path';
import t from 'tap';
import { runKfed, type CliRun } from '../support/kfed-cli.js';

const run = (args: string[], stdin = ''): Promise<CliRun> => runKfed(args, {}, stdin);

const evenSplit = { preferences: { clusters: { '*': { weight: 1 } } }, totalReplicas: 50, clusters: ['A', 'B', 'C'], key: '' };
const capped = {
  preferences: { rebalance: true, clusters: { '*': { weight: 1 } } }, totalReplicas: 50, clusters: ['A', 'B', 'C'], capacity: { C: 10 }, key: '',
};

t.test('a single input from a file', async (t) => {
  const dir = t.testdir({ 'input.json': JSON.stringify(evenSplit) });
  const r = await run(['plan', '--input', join(dir, 'input.json')]);
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { plan: { A: 16, B: 17, C: 17 }, overflow: {} });
});

t.test('an array of inputs gives an array of results in the same order', async (t) => {
  const dir = t.testdir({ 'inputs.json': JSON.stringify([capped, evenSplit]) });
  const r = await run(['plan', `--input=${join(dir, 'inputs.json')}`]);
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), [
    { plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
    { plan: { A: 16, B: 17, C: 17 }, overflow: {} },
  ]);
});

t.test('stdin with --input -', async (t) => {
  const r = await run(['plan', '--input', '-'], JSON.stringify({
    preferences: { rebalance: false, clusters: { '*': { weight: 1 } } }, totalReplicas: 15, clusters: ['A', 'B'], current: { A: 7, B: 8 }, key: 'default/web',
  }));
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { plan: { A: 7, B: 8 }, overflow: {} });
});

t.test('invalid input: exit 2 and the field named', async (t) => {
  const bad: [unknown, string][] = [
    [{ ...evenSplit, totalReplicas: -1 }, 'totalReplicas: must be greater than or equal to 0'],
    [{ ...evenSplit, preferences: { clusters: { berlin: { weight: -1 } } } }, 'preferences.clusters.berlin.weight: must be greater than or equal to 0'],
    [[evenSplit, { ...evenSplit, clusters: ['A', 'A'] }], '[1].clusters[1]: duplicate cluster name "A"'],
    [[evenSplit, { ...evenSplit, key: undefined }], '[1].key: required'],
    [{ ...evenSplit, capacity: { A: 'x' } }, 'capacity.A: must be a number'],
    [{ ...evenSplit, replicas: 3 }, 'replicas: unknown field'],
  ];
  for (const [input, message] of bad) {
    const r = await run(['plan', '--input', '-'], JSON.stringify(input));
    t.equal(r.code, 2, message);
    t.match(r.stderr, `kfed plan: invalid input: ${message}`);
    t.equal(r.stdout, '');
  }
  const notJson = await run(['plan', '--input', '-'], '{"preferences":');
  t.equal(notJson.code, 2);
  t.match(notJson.stderr, 'invalid input: not JSON');
});

t.test('usage: --help, a missing --input, an unreadable file', async (t) => {
  const help = await run(['plan', '--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, 'usage: kfed plan --input FILE');
  const missing = await run(['plan']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, '--input FILE is required');
  const unreadable = await run(['plan', '--input', join(t.testdir({}), 'absent.json')]);
  t.equal(unreadable.code, 1);
  t.match(unreadable.stderr, 'cannot read');
});
