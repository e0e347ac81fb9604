#!/usr/bin/env node
// The kfed command: `kfed <command> [args]` runs cli/commands/<command>.ts's `main(args)`.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Command {
  readonly summary: string;
  main(args: string[]): Promise<number>;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .sort();

async function load(name: string): Promise<Command> {
  return (await import(pathToFileURL(join(dir, `${name}.js`)).href)) as Command;
}

async function usage(): Promise<string> {
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(10)} ${(await load(n)).summary}`));
  return ['usage: kfed <command> [args]', '', 'commands:', ...lines, '', 'Run `kfed <command> --help` for the options of one command.'].join('\n');
}

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(await usage());
  process.exit(name === undefined ? 2 : 0);
}
if (!names.includes(name)) {
  console.error(`kfed: unknown command "${name}"\n\n${await usage()}`);
  process.exit(2);
}
process.exitCode = await (await load(name)).main(args);
