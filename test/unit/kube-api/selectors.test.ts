// Label and field selectors: kubectl syntax, LabelSelector objects, canonical text and matching, table-driven.
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import {
  formatLabelSelector, labelSelectorFromSpec, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type LabelSelector,
} from '../../../libs/kube-api/selectors.js';

const req = (key: string, operator: LabelSelector[number]['operator'], ...values: string[]): LabelSelector[number] => ({ key, operator, values });

t.test('parseLabelSelector: kubectl syntax', async (t) => {
  const ok: [string, LabelSelector][] = [
    ['', []],
    ['   ', []],
    ['app=nginx', [req('app', 'In', 'nginx')]],
    ['app==nginx', [req('app', 'In', 'nginx')]],
    ['app!=nginx', [req('app', 'NotIn', 'nginx')]],
    ['app=', [req('app', 'In', '')]],
    ['tier in (a, b)', [req('tier', 'In', 'a', 'b')]],
    ['tier notin (a)', [req('tier', 'NotIn', 'a')]],
    ['tier in ()', [req('tier', 'In', '')]],
    ['app', [req('app', 'Exists')]],
    ['!app', [req('app', 'DoesNotExist')]],
    ['version>14', [req('version', 'Gt', '14')]],
    ['version < -3', [req('version', 'Lt', '-3')]],
    ['example.com/app=web,!legacy, tier in (front,back) ,env', [
      req('example.com/app', 'In', 'web'), req('legacy', 'DoesNotExist'), req('tier', 'In', 'front', 'back'), req('env', 'Exists'),
    ]],
    ['a.b_c-D=X.y_z-1', [req('a.b_c-D', 'In', 'X.y_z-1')]],
  ];
  for (const [text, want] of ok) t.same(parseLabelSelector(text), E.right(want), JSON.stringify(text));

  const bad: [string, RegExp][] = [
    ['a b', /found 'b', expected: '=', '==', '!=', 'in', 'notin', '>' or '<'/],
    ['a=b c', /found 'c', expected: ',' or end of string/],
    ['a in b', /found 'b', expected: '\('/],
    ['a in (b', /found end of string, expected: ',' or '\)'/],
    ['=b', /found '=', expected: '!' or a label key/],
    ['a=b,', /found end of string, expected: '!' or a label key/],
    ['!', /expected: a label key/],
    ['a=(b)', /found '\(', expected: a value/],
    ['-bad=x', /invalid label key "-bad": name part must consist of/],
    ['Example.com/app=x', /prefix part must be a lowercase RFC 1123 subdomain/],
    ['/app=x', /prefix part must be non-empty/],
    [`${'k'.repeat(64)}=x`, /name part must be no more than 63 characters/],
    ['a=-b', /invalid label value "-b"/],
    [`a=${'v'.repeat(64)}`, /must be no more than 63 characters/],
    ['a>b', /operator Gt takes exactly one integer value/],
    ['a>99999999999999999999', /operator Gt takes exactly one integer value/],
  ];
  for (const [text, pattern] of bad) {
    const got = parseLabelSelector(text);
    t.ok(E.isLeft(got) && pattern.test(got.left), `${JSON.stringify(text)} → ${E.isLeft(got) ? got.left : 'accepted'}`);
  }
});

t.test('formatLabelSelector: canonical text that parses back', async (t) => {
  const cases: [LabelSelector, string][] = [
    [[], ''],
    [[req('app', 'In', 'nginx')], 'app=nginx'],
    [[req('tier', 'In', 'b', 'a'), req('app', 'In', 'nginx')], 'app=nginx,tier in (a,b)'],
    [[req('app', 'NotIn', 'x')], 'app!=x'],
    [[req('app', 'NotIn', 'y', 'x')], 'app notin (x,y)'],
    [[req('app', 'Exists'), req('old', 'DoesNotExist')], 'app,!old'],
    [[req('v', 'Gt', '3'), req('w', 'Lt', '9')], 'v>3,w<9'],
    [[req('app', 'In', '')], 'app='],
  ];
  for (const [sel, text] of cases) {
    t.equal(formatLabelSelector(sel), text);
    const back = parseLabelSelector(text);
    t.ok(E.isRight(back) && formatLabelSelector(back.right) === text, `${JSON.stringify(text)} round-trips`);
  }
});

t.test('matchesLabels', async (t) => {
  const labels = { app: 'nginx', tier: 'front', version: '15', zone: 'eu' };
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['', labels, true],
    ['', undefined, true],
    ['app=nginx', labels, true],
    ['app=web', labels, false],
    ['app!=web', labels, true],
    ['missing!=x', labels, true],
    ['missing=x', labels, false],
    ['tier in (front,back)', labels, true],
    ['tier notin (front)', labels, false],
    ['missing notin (x)', labels, true],
    ['app', labels, true],
    ['app', undefined, false],
    ['!app', labels, false],
    ['!missing', undefined, true],
    ['version>14', labels, true],
    ['version>15', labels, false],
    ['version<16', labels, true],
    ['zone>1', labels, false], // not an integer: never matches
    ['missing<100', labels, false],
    ['app=nginx,tier=back', labels, false],
    ['app=nginx,tier=front,version>9', labels, true],
    ['constructor', {}, false], // own labels only
  ];
  for (const [text, l, want] of cases) {
    const sel = parseLabelSelector(text);
    t.ok(E.isRight(sel) && matchesLabels(sel.right, l) === want, `${JSON.stringify(text)} on ${JSON.stringify(l)} → ${want}`);
  }
});

t.test('labelSelectorFromSpec: Deployment.spec.selector', async (t) => {
  t.same(labelSelectorFromSpec({}), E.right([]));
  t.same(labelSelectorFromSpec({ matchLabels: { app: 'nginx' } }), E.right([req('app', 'In', 'nginx')]));
  t.same(
    labelSelectorFromSpec({
      matchLabels: { app: 'nginx' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'env', operator: 'Exists', values: [] }, { key: 'zone', operator: 'NotIn', values: ['us'] }],
    }),
    E.right([req('app', 'In', 'nginx'), req('tier', 'In', 'a', 'b'), req('legacy', 'DoesNotExist'), req('env', 'Exists'), req('zone', 'NotIn', 'us')]),
  );
  const sel = labelSelectorFromSpec({ matchLabels: { app: 'nginx' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] });
  t.ok(E.isRight(sel) && formatLabelSelector(sel.right) === 'app=nginx,tier in (a,b)', 'Scale.status.selector text');

  const bad: [unknown, string][] = [
    [null, 'must be an object'],
    [{ matchLabels: [] }, 'matchLabels: must be an object'],
    [{ matchLabels: { app: 1 } }, 'matchLabels.app: must be a string'],
    [{ matchLabels: { 'bad key': 'x' } }, 'matchLabels.bad key: invalid label key "bad key"'],
    [{ matchExpressions: {} }, 'matchExpressions: must be an array'],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, 'matchExpressions[0].operator: "Gt" is not a valid selector operator'],
    [{ matchExpressions: [{ key: 'a', operator: 'In' }] }, "matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'"],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      "matchExpressions[0].values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    [{ matchExpressions: [{ operator: 'Exists' }] }, 'matchExpressions[0].key: must be a string'],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [1] }] }, 'matchExpressions[0].values: must be an array of strings'],
  ];
  for (const [spec, message] of bad) {
    const got = labelSelectorFromSpec(spec);
    t.ok(E.isLeft(got) && got.left.startsWith(message), `${JSON.stringify(spec)} → ${E.isLeft(got) ? got.left : 'accepted'}`);
  }
});

t.test('parseFieldSelector', async (t) => {
  const ok: [string, unknown][] = [
    ['', []],
    ['metadata.name=x', [{ field: 'metadata.name', op: '=', value: 'x' }]],
    ['metadata.name==x', [{ field: 'metadata.name', op: '=', value: 'x' }]],
    ['status.phase!=Running,spec.nodeName=', [{ field: 'status.phase', op: '!=', value: 'Running' }, { field: 'spec.nodeName', op: '=', value: '' }]],
    ['involvedObject.name=a\\,b\\=c\\\\d', [{ field: 'involvedObject.name', op: '=', value: 'a,b=c\\d' }]],
    ['a=b,,c=d', [{ field: 'a', op: '=', value: 'b' }, { field: 'c', op: '=', value: 'd' }]],
  ];
  for (const [text, want] of ok) t.same(parseFieldSelector(text), E.right(want), JSON.stringify(text));
  const bad: [string, RegExp][] = [
    ['metadata.name', /can't understand "metadata.name"/],
    ['=x', /empty field name/],
    ['a=b=c', /unescaped =/],
    ['a=b\\x', /invalid escape sequence/],
  ];
  for (const [text, pattern] of bad) {
    const got = parseFieldSelector(text);
    t.ok(E.isLeft(got) && pattern.test(got.left), `${JSON.stringify(text)} → ${E.isLeft(got) ? got.left : 'accepted'}`);
  }
});

t.test('matchesFields', async (t) => {
  const pod = { metadata: { name: 'web-1', namespace: 'default' }, spec: { nodeName: 'n1', replicas: 3 }, status: { phase: 'Running' } };
  const event = { involvedObject: { name: 'nginx', kind: 'ReplicaSet' } };
  const cases: [string, unknown, boolean][] = [
    ['', pod, true],
    ['metadata.name=web-1', pod, true],
    ['metadata.name=web-2', pod, false],
    ['metadata.name!=web-2,metadata.namespace=default', pod, true],
    ['spec.nodeName=n1,status.phase=Running', pod, true],
    ['spec.replicas=3', pod, true],
    ['spec.missing=', pod, true], // absent reads as ""
    ['spec.missing!=', pod, false],
    ['metadata=x', pod, false], // an object has no field value
    ['metadata!=x', pod, true],
    ['involvedObject.name=nginx,involvedObject.kind=ReplicaSet', event, true],
    ['involvedObject.name=nginx', pod, false],
  ];
  for (const [text, obj, want] of cases) {
    const sel = parseFieldSelector(text);
    t.ok(E.isRight(sel) && matchesFields(sel.right, obj) === want, `${JSON.stringify(text)} → ${want}`);
  }
});
