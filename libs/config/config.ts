// Declarative environment configuration: each variable names its codec, default and purpose once.
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';

export interface Variable<C extends t.Mixed> {
  readonly codec: C;
  /** The text used when the variable is unset or empty; decoded like a set value. Absent = required. */
  readonly default?: string;
  readonly doc: string;
  /** The value is never printed, not even in an error about it. */
  readonly secret?: boolean;
}

export type ConfigDecl = Readonly<Record<string, Variable<t.Mixed>>>;

export type Config<D extends ConfigDecl> = { readonly [K in keyof D]: t.TypeOf<D[K]['codec']> };

export type Env = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export interface ConfigError {
  readonly _tag: 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  /** One line per problem, e.g. `KFED_GRACE_MS: expected a positive integer, got "abc"`. */
  readonly message: string;
}

/** Decodes every declared variable and reports all bad ones at once, not just the first. */
export function decodeConfig<D extends ConfigDecl>(decl: D, env: Env): E.Either<ConfigError, Config<D>> {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [variable, v] of Object.entries(decl)) {
    const set = env[variable];
    const text = set === undefined || set === '' ? v.default : set;
    if (text === undefined) {
      problems.push({ variable, message: `${variable}: required, expected ${v.codec.name}` });
      continue;
    }
    const decoded = v.codec.decode(text);
    if (E.isRight(decoded)) {
      values[variable] = decoded.right;
    } else if (text === v.default) {
      throw new Error(`configuration declaration bug: the default of ${variable} is not ${v.codec.name}`);
    } else {
      const got = v.secret === true ? 'a value that is not shown (secret)' : JSON.stringify(text);
      problems.push({ variable, message: `${variable}: expected ${v.codec.name}, got ${got}` });
    }
  }
  if (problems.length > 0) {
    return E.left({ _tag: 'ConfigError', problems, message: problems.map((p) => p.message).join('\n') });
  }
  return E.right(values as Config<D>);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The markdown table of a declaration, in declaration order, as the README shows it. */
export function configTable(decl: ConfigDecl): string {
  const rows = Object.entries(decl).map(([variable, v]) => {
    const def = v.default === undefined ? '(required)' : v.default === '' ? '(empty)' : `\`${cell(v.default)}\``;
    const doc = v.secret === true ? `${v.doc} Secret: never printed.` : v.doc;
    return `| \`${variable}\` | ${def} | ${cell(v.codec.name)} | ${cell(doc)} |`;
  });
  return ['| Variable | Default | Expected | Description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
