import { readFileSync } from 'node:fs';
import { parseArgs } from '../core/config/index.ts';
import { isWeftError } from '../core/errors/index.ts';
import type { Command, CommandIO } from './command.ts';
import { commands } from './commands/index.ts';

/** The version in package.json (the one `npm install` installed). */
export function weftVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(28)} ${c.summary}`);
  return [
    'Usage: weft <command> [options]',
    '       weft --version',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "weft <command> --help" for the options of one command.',
  ].join('\n');
}

/** Resolves "catalog validate" style two-word commands before one-word ones. */
function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } | undefined {
  const known = (name: string) => (Object.hasOwn(commands, name) ? commands[name] : undefined);
  const two = argv.length > 1 ? known(`${argv[0]} ${argv[1]}`) : undefined;
  if (two) return { name: `${argv[0]} ${argv[1]}`, command: two, rest: argv.slice(2) };
  const one = argv.length > 0 ? known(argv[0]) : undefined;
  if (one) return { name: argv[0], command: one, rest: argv.slice(1) };
  return undefined;
}

export async function main(argv: string[], io: CommandIO = defaultIO()): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
    io.out(`weft ${weftVersion()}`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    io.out(help());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`Unknown command "${argv.slice(0, 2).join(' ')}".\n\n${help()}`);
    return 2;
  }
  try {
    const booleans = new Set(['help', 'demo', 'no-demo', 'faults', 'no-faults', 'no-auto-remediation', ...(found.command.booleans ?? [])]);
    const args = parseArgs(found.rest, booleans);
    if (args.flags.help) {
      io.out(`Usage: weft ${found.command.usage}\n\n${found.command.summary}`);
      return 0;
    }
    return await found.command.run(args, io);
  } catch (err) {
    if (isWeftError(err)) {
      io.err(`weft ${found.name}: ${err.message}`);
      return 2;
    }
    io.err(`weft ${found.name}: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}

function defaultIO(): CommandIO {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
}
