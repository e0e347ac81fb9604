// Environment configuration: defaults, errors that name the variable and the expectation, secrets kept out.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import * as io from 'io-ts';
import { configTable, decodeConfig, type ConfigDecl } from '../../../libs/config/config.js';
import { commonConfig } from '../../../libs/config/common.js';
import { Bool, DnsLabel, LogLevel, NonEmptyString, Port, PositiveInt, url, urlList } from '../../../libs/config/codecs.js';
import { describeFieldErrors } from '../../../libs/codec/field-errors.js';

const decl = {
  KFED_PROBE_PERIOD_MS: { codec: PositiveInt, default: '5000', doc: 'How often members are probed.' },
  KFED_TOKEN: { codec: NonEmptyString, doc: 'Bearer token | for the API.', secret: true },
} satisfies ConfigDecl;

t.test('the common variables all have working defaults', async (t) => {
  const config = decodeConfig(commonConfig, {});
  t.same(config, E.right({
    KFED_FEDERATION: 'kfed',
    NATS_URL: 'nats://127.0.0.1:4222',
    REDIS_URL: 'redis://127.0.0.1:6379',
    LOG_LEVEL: 'info',
    KFED_OPS_HOST: '127.0.0.1',
    KFED_OPS_PORT: 0,
    KFED_GRACE_MS: 10000,
  }));
});

t.test('set values are decoded to their types; empty means unset', async (t) => {
  const config = decodeConfig(decl, { KFED_PROBE_PERIOD_MS: '250', KFED_TOKEN: 's3cret', UNRELATED: 'x' });
  t.same(config, E.right({ KFED_PROBE_PERIOD_MS: 250, KFED_TOKEN: 's3cret' }));
  t.same(decodeConfig(decl, { KFED_PROBE_PERIOD_MS: '', KFED_TOKEN: 'x' }), E.right({ KFED_PROBE_PERIOD_MS: 5000, KFED_TOKEN: 'x' }));
});

t.test('an error names the variable, the expectation and the bad value', async (t) => {
  const result = decodeConfig(decl, { KFED_PROBE_PERIOD_MS: 'abc', KFED_TOKEN: 'x' });
  t.ok(E.isLeft(result));
  if (E.isLeft(result)) {
    t.equal(result.left._tag, 'ConfigError');
    t.equal(result.left.message, 'KFED_PROBE_PERIOD_MS: expected a positive integer, got "abc"');
    t.same(result.left.problems.map((p) => p.variable), ['KFED_PROBE_PERIOD_MS']);
  }
});

t.test('every bad variable is reported, a secret value never', async (t) => {
  const result = decodeConfig(decl, { KFED_PROBE_PERIOD_MS: '0', KFED_TOKEN: '   ' });
  t.ok(E.isLeft(result));
  if (E.isLeft(result)) {
    t.same(result.left.problems.map((p) => p.variable), ['KFED_PROBE_PERIOD_MS', 'KFED_TOKEN']);
    t.match(result.left.message, /^KFED_PROBE_PERIOD_MS: expected a positive integer, got "0"\nKFED_TOKEN: expected a non-empty string, got a value that is not shown \(secret\)$/);
  }
  const missing = decodeConfig(decl, {});
  t.same(E.isLeft(missing) && missing.left.message, 'KFED_TOKEN: required, expected a non-empty string');
});

t.test('a default that does not decode is a declaration bug', async (t) => {
  t.throws(() => decodeConfig({ X: { codec: PositiveInt, default: '-1', doc: '' } }, {}), /default of X/);
});

t.test('codecs accept and reject', async (t) => {
  const cases: [io.Mixed, string, unknown][] = [
    [PositiveInt, '1', 1], [PositiveInt, '9007199254740991', 9007199254740991], [PositiveInt, '0', undefined],
    [PositiveInt, '01', undefined], [PositiveInt, '1.5', undefined], [PositiveInt, '1e3', undefined],
    [PositiveInt, ' 1', undefined], [PositiveInt, '9007199254740992', undefined],
    [Port, '0', 0], [Port, '65535', 65535], [Port, '65536', undefined], [Port, '-1', undefined],
    [DnsLabel, 'kfed', 'kfed'], [DnsLabel, 'eu-1', 'eu-1'], [DnsLabel, 'Kfed', undefined], [DnsLabel, 'a.b', undefined],
    [Bool, 'true', true], [Bool, 'false', false], [Bool, 'yes', undefined],
    [LogLevel, 'debug', 'debug'], [LogLevel, 'verbose', undefined],
    [urlList(['nats']), 'nats://a:4222, nats://b:4222', 'nats://a:4222,nats://b:4222'],
    [urlList(['nats']), 'nats://a:4222,http://b', undefined],
    [url(['redis', 'rediss']), 'rediss://h:6380/0', 'rediss://h:6380/0'], [url(['redis']), 'localhost:6379', undefined],
  ];
  for (const [codec, text, expected] of cases) {
    const decoded = codec.decode(text);
    t.same(E.isRight(decoded) ? decoded.right : undefined, expected, `${codec.name}: ${JSON.stringify(text)}`);
  }
  t.ok(PositiveInt.is(3));
  t.notOk(PositiveInt.is('3'));
  t.notOk(PositiveInt.is(0));
  t.equal(Port.encode(8080), '8080');
});

t.test('the markdown table lists every variable with default, expectation and doc', async (t) => {
  t.equal(configTable(decl), [
    '| Variable | Default | Expected | Description |',
    '|---|---|---|---|',
    '| `KFED_PROBE_PERIOD_MS` | `5000` | a positive integer | How often members are probed. |',
    '| `KFED_TOKEN` | (required) | a non-empty string | Bearer token \\| for the API. Secret: never printed. |',
    '',
  ].join('\n'));
  const common = configTable(commonConfig);
  for (const variable of Object.keys(commonConfig)) t.match(common, `| \`${variable}\` |`);
});

t.test('field errors name paths and expectations but never values', async (t) => {
  const Body = io.type({ spec: io.type({ replicas: io.number, token: io.string }), kind: io.union([io.literal('A'), io.literal('B')]) });
  const decoded = Body.decode({ spec: { replicas: 'three', token: 42 }, kind: 'C' });
  t.ok(E.isLeft(decoded));
  if (E.isLeft(decoded)) {
    const text = describeFieldErrors(decoded.left);
    t.equal(text, 'spec.replicas: expected number; spec.token: expected string; kind: expected "A"; kind: expected "B"');
    t.notMatch(text, /three|42|"C"/);
  }
});
