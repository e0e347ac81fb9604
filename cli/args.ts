// A kfed command's arguments: node:util parseArgs, strict, plus what every command does alike (-h/--help; exit code 2 and the usage on bad arguments).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';

/** What a command declares: its options, and whether it takes positional arguments. */
export type CommandConfig = Pick<ParseArgsConfig, 'options' | 'allowPositionals'>;

/** parseArgs' result for a command's declaration. */
export type CommandArgs<C extends CommandConfig> = ReturnType<typeof parseArgs<C & { strict: true }>>;

/**
 * `-n=default` as kubectl reads it: parseArgs would take "=default" as the value. Short string
 * options written that way become their long form (which also lets the value start with "-").
 */
function kubectlShortValues(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const longOf = new Map(Object.entries(options).flatMap(([name, o]) => (o.type === 'string' && o.short !== undefined ? [[o.short, name]] : [])));
  const end = args.indexOf('--');
  return args.map((a, i) => {
    const m = /^-(\w)=/.exec(a);
    const long = m === null || (end >= 0 && i > end) ? undefined : longOf.get(m[1] as string);
    return long === undefined ? a : `--${long}=${a.slice(3)}`;
  });
}

/**
 * Parses the arguments of `kfed <command>`. Left: the exit code, what to say already written:
 * 0 after the usage on stdout (-h, --help), 2 after the problem and the usage on stderr.
 */
export function parseCommandArgs<const C extends CommandConfig>(command: string, usage: string, args: readonly string[], config: C): E.Either<number, CommandArgs<C>> {
  const options = { ...config.options, help: { type: 'boolean', short: 'h' } } as const;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ ...config, options, strict: true, args: kubectlShortValues(args, options) });
  } catch (err) {
    process.stderr.write(`kfed ${command}: ${(err as Error).message}\n\n${usage}\n`);
    return E.left(2);
  }
  if (parsed.values['help'] === true) {
    process.stdout.write(`${usage}\n`);
    return E.left(0);
  }
  // The same parse as for `config` alone: `help` is this module's option, not the command's.
  return E.right(parsed as CommandArgs<C>);
}
