// Probe settings from annotations, and each cluster's slot in the period.
import t from 'tap';
import { nextProbeAt, parseDuration, probeOffset, probeSettingsFor, type ProbeSettings } from '../../../libs/registry/probe-settings.js';

const defaults: ProbeSettings = { periodMs: 10000, timeoutMs: 3000, failureThreshold: 3, successThreshold: 1 };

t.test('durations', async (t) => {
  const cases: [string, number | undefined][] = [['10s', 10000], ['500ms', 500], ['1m', 60000], ['1.5s', 1500], ['2500', 2500], ['0s', undefined], ['-1s', undefined], ['1h', undefined], ['0.5ms', undefined]];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
});

t.test('annotations override the defaults; invalid ones are named and ignored', async (t) => {
  t.same(probeSettingsFor(undefined, defaults), { settings: defaults, problems: [] });
  t.same(probeSettingsFor({ 'kfed.io/probe-period': '30s', 'kfed.io/failure-threshold': '5', 'kfed.io/success-threshold': '2', 'kfed.io/probe-timeout': '1s' }, defaults), {
    settings: { periodMs: 30000, timeoutMs: 1000, failureThreshold: 5, successThreshold: 2 }, problems: [],
  });
  const bad = probeSettingsFor({ 'kfed.io/probe-period': 'often', 'kfed.io/failure-threshold': '0' }, defaults);
  t.same(bad.settings, defaults);
  t.match(bad.problems, [/kfed.io\/probe-period: expected a duration .* got "often"; using 10000/, /kfed.io\/failure-threshold: expected a whole number/]);
  t.equal(probeSettingsFor({ 'kfed.io/probe-period': '1s' }, defaults).settings.timeoutMs, 1000, 'the timeout never exceeds the period');
});

t.test('slots: a fixed offset per cluster, spread over the period, strictly after the given time', async (t) => {
  t.equal(probeOffset('berlin', 10000), probeOffset('berlin', 10000));
  t.equal(nextProbeAt(20_000, 1234, 10000), 21_234);
  t.equal(nextProbeAt(21_234, 1234, 10000), 31_234, 'a slot exactly now is not repeated');
  t.equal(nextProbeAt(21_233, 1234, 10000), 21_234);
  // 500 clusters with numbered names over 10 s: no tenth of the period holds more than twice its share.
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 500; i++) {
    const b = Math.floor(probeOffset(`cluster-${String(i).padStart(3, '0')}`, 10000) / 1000);
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  t.ok(Math.max(...buckets) <= 100, `offsets spread: ${buckets.join(',')}`);
});
