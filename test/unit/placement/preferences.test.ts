// The placement annotations: replica-set preferences and the cluster selector, parsed with field-named errors.
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import {
  DEFAULT_PREFERENCES, formatPreferencesError, parseClusterSelector, parsePreferences, type PreferencesError,
} from '../../../libs/placement/preferences.js';
import { matchesLabels } from '../../../libs/kube-api/selectors.js';

const errorOf = (r: E.Either<PreferencesError, unknown>): string => (E.isLeft(r) ? formatPreferencesError(r.left) : 'accepted');

t.test('parsePreferences: valid annotations', async (t) => {
  t.same(parsePreferences(undefined), E.right({ rebalance: false, clusters: { '*': { weight: 1 } } }), 'no annotation: even split, rebalance false');
  t.equal(DEFAULT_PREFERENCES.rebalance, false);
  // The article's annotation, verbatim.
  const seed = `{
           "rebalance": true,
           "clusters": {
               "new-york": { "minReplicas": 0, "maxReplicas": 10, "weight": 1 },
               "berlin": { "minReplicas": 0, "maxReplicas": 10, "weight": 1 }
           }
       }`;
  t.same(parsePreferences(seed), E.right({
    rebalance: true,
    clusters: { 'new-york': { minReplicas: 0, maxReplicas: 10, weight: 1 }, berlin: { minReplicas: 0, maxReplicas: 10, weight: 1 } },
  }));
  t.same(parsePreferences('{"clusters":{"*":{"maxReplicas":null}}}'), E.right({ clusters: { '*': { maxReplicas: null } } }), 'null maxReplicas is unbounded');
  t.same(parsePreferences('{"clusters":{}}'), E.right({ clusters: {} }));
});

t.test('parsePreferences: errors name the field', async (t) => {
  const cases: [string, string][] = [
    ['{', 'invalid JSON: '],
    ['[]', 'must be an object'],
    ['{}', 'clusters: required'],
    ['{"clusters":[]}', 'clusters: must be an object'],
    ['{"clusters":{"berlin":{"weight":-1}}}', 'clusters.berlin.weight: must be greater than or equal to 0'],
    ['{"clusters":{"berlin":{"weight":1.5}}}', 'clusters.berlin.weight: must be an integer'],
    ['{"clusters":{"berlin":{"weight":"1"}}}', 'clusters.berlin.weight: must be a number'],
    ['{"clusters":{"berlin":{"minReplicas":3000000000}}}', 'clusters.berlin.minReplicas: must be less than or equal to 2147483647'],
    ['{"clusters":{"berlin":{"maxReplicas":-2}}}', 'clusters.berlin.maxReplicas: must be greater than or equal to 0'],
    ['{"clusters":{"berlin":{"minReplicas":5,"maxReplicas":2}}}', 'clusters.berlin: minReplicas must be less than or equal to maxReplicas'],
    ['{"clusters":{"berlin":{"wieght":1}}}', 'clusters.berlin.wieght: unknown field'],
    ['{"clusters":{"berlin":3}}', 'clusters.berlin: must be an object'],
    ['{"rebalance":"yes","clusters":{}}', 'rebalance: must be a boolean'],
    ['{"clusters":{},"extra":1}', 'extra: unknown field'],
  ];
  for (const [annotation, message] of cases) {
    const got = errorOf(parsePreferences(annotation));
    t.ok(got.startsWith(message), `${annotation} → ${got}`);
  }
});

t.test('parseClusterSelector: Federation v1 requirements against Cluster labels', async (t) => {
  const labels = { location: 'europe', environment: 'prod', version: '15' };
  const cases: [string | undefined, boolean][] = [
    [undefined, true],
    ['[]', true],
    ['[{"key": "location", "operator": "in", "values": ["europe"]}]', true],
    ['[{"key": "location", "operator": "In", "values": ["europe"]}, {"key": "environment", "operator": "==", "values": ["prod"]}]', true],
    ['[{"key": "location", "operator": "in", "values": ["europe"]}, {"key": "environment", "operator": "==", "values": ["test"]}]', false],
    ['[{"key": "location", "operator": "!=", "values": ["usa"]}, {"key": "environment", "operator": "in", "values": ["prod"]}]', true],
    ['[{"key": "version", "operator": ">", "values": ["14"]}]', true],
    ['[{"key": "version", "operator": "Gt", "values": ["15"]}]', false],
    ['[{"key": "version", "operator": "Lt", "values": ["16"]}]', true],
    ['[{"key": "location", "operator": "NotIn", "values": ["asia", "usa"]}]', true],
    ['[{"key": "location", "operator": "Exists"}]', true],
    ['[{"key": "gpu", "operator": "DoesNotExist"}]', true],
    ['[{"key": "gpu", "operator": "exists", "values": []}]', false],
  ];
  for (const [annotation, want] of cases) {
    const sel = parseClusterSelector(annotation);
    t.ok(E.isRight(sel) && matchesLabels(sel.right, labels) === want, `${annotation} → ${want}`);
  }
  const bad: [string, string][] = [
    ['[{"not able to parse",}]', 'invalid JSON: '],
    ['{}', 'must be an array'],
    ['[{"operator": "Exists"}]', '[0].key: required'],
    ['[{"key": "a", "operator": "like", "values": ["x"]}]', '[0].operator: "like" is not a valid selector operator'],
    ['[{"key": "a", "operator": "In", "values": []}]', '[0]: "a": values must be non-empty for operator In'],
    ['[{"key": "a", "operator": "=", "values": ["x", "y"]}]', '[0].values: operator "=" takes exactly one value'],
    ['[{"key": "a", "operator": "Gt", "values": ["x"]}]', '[0]: "a": operator Gt takes exactly one integer value'],
    ['[{"key": "a", "operator": "In", "values": ["ok"]}, {"key": "b", "operator": "In", "values": [1]}]', '[1].values[0]: must be a string'],
    ['[{"key": "a", "operator": "In", "values": ["ok"], "value": "x"}]', '[0].value: unknown field'],
    ['[{"key": "-a", "operator": "Exists"}]', '[0]: invalid label key "-a"'],
  ];
  for (const [annotation, message] of bad) {
    const got = errorOf(parseClusterSelector(annotation));
    t.ok(got.startsWith(message), `${annotation} → ${got}`);
  }
});
