import { readFileSync } from 'node:fs';
import { flag, parseArgs, type ParsedArgs } from '../core/config/index.ts';
import { ERR_CONFIG, isWeftError } from '../core/errors/index.ts';
import { closestName, printable, terminalText } from '../core/text/index.ts';
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
export function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } | undefined {
  const known = (name: string) => (Object.hasOwn(commands, name) ? commands[name] : undefined);
  const two = argv.length > 1 ? known(`${argv[0]} ${argv[1]}`) : undefined;
  if (two) return { name: `${argv[0]} ${argv[1]}`, command: two, rest: argv.slice(2) };
  const one = argv.length > 0 ? known(argv[0]) : undefined;
  if (one) return { name: argv[0], command: one, rest: argv.slice(1) };
  return undefined;
}

/**
 * Refuses operands beyond what the command takes (`weft token revoke a b` would revoke only a;
 * `weft start --faults shadow-it` would run every fault), saying how to write what was meant.
 */
function checkOperands(name: string, command: Command, operands: string[], argv: string[]): void {
  const most = command.operands ?? 0;
  if (operands.length <= most) return;
  const extra = operands.slice(most);
  const before = argv[argv.indexOf(extra[0]) - 1];
  const optionalFlag = before?.startsWith('--') ? before.slice(2) : undefined;
  const hint =
    optionalFlag !== undefined && (command.optional ?? []).includes(optionalFlag)
      ? ` (a value for --${optionalFlag} goes after "=": --${optionalFlag}=${extra[0]})`
      : /\.ya?ml$/i.test(extra[0]) && command.options.includes('catalog')
        ? ` (a catalog file goes after --catalog: --catalog ${extra[0]})`
        : '';
  const quoted = (list: string[]) => list.map((e) => `"${e.slice(0, 100)}"`).join(', ');
  const takes =
    most === 0
      ? `takes no arguments besides its flags, got ${quoted(extra)}`
      : `takes ${most === 1 ? 'one argument' : `${most} arguments`}, got ${operands.length}: ${quoted(operands)}`;
  throw ERR_CONFIG(`${takes}${hint}; see "weft ${name} --help".`);
}

/**
 * Says what `argv` names instead of a command: a group's commands (`weft token`), the command meant
 * (`weft catalog valdate` → catalog validate, `weft stat` → start), or the list of commands. Returns exit code 2.
 */
function unknownCommand(argv: string[], io: CommandIO): number {
  const names = Object.keys(commands);
  const group = names.filter((name) => name.startsWith(`${argv[0]} `));
  const asked = argv.slice(0, group.length > 0 ? 2 : 1).join(' ');
  // Within a group, its second word is compared: "token frob" is not close to "token list" for sharing "token ".
  const sub =
    group.length > 0 && argv.length > 1
      ? closestName(
          argv[1].slice(0, 100),
          group.map((g) => g.slice(argv[0].length + 1)),
        )
      : undefined;
  // Without a group, a two-word command misspelt in its first word (`weft tokn list`) is looked for as two words first.
  const twoWords =
    group.length === 0 && argv.length > 1 && !argv[1].startsWith('-')
      ? closestName(
          `${argv[0]} ${argv[1]}`.slice(0, 100),
          names.filter((n) => n.includes(' ')),
        )
      : undefined;
  const meant = group.length > 0 ? (sub === undefined ? undefined : `${argv[0]} ${sub}`) : (twoWords ?? closestName(asked.slice(0, 100), names));
  if (meant !== undefined) {
    io.err(`Unknown command ${JSON.stringify((twoWords ? `${argv[0]} ${argv[1]}` : asked).slice(0, 100))}: did you mean "weft ${meant}"?`);
    return 2;
  }
  const listing = () => group.map((name) => `  weft ${name.padEnd(26)} ${commands[name].summary}`).join('\n');
  // `weft token --help`: the group's commands, on stdout, as help is.
  if (group.length > 0 && argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h')) {
    io.out(`"weft ${argv[0]}" has these commands ("weft ${argv[0]} COMMAND --help" for one):\n${listing()}`);
    return 0;
  }
  if (group.length > 0 && argv.length === 1) {
    io.err(`"weft ${argv[0]}" needs one of its commands:\n${listing()}`);
    return 2;
  }
  io.err(
    `Unknown command ${JSON.stringify(argv.slice(0, 2).join(' ').slice(0, 100))}.\n\n${group.length > 0 ? `"weft ${argv[0]}" has: ${group.map((g) => `weft ${g}`).join(', ')}.` : help()}`,
  );
  return 2;
}

/**
 * A command's arguments read with its own flags: throws ERR_CONFIG for a flag it does not take, a
 * malformed value (see `parseArgs`) or more operands than it takes (unless --help is asked for).
 */
export function commandArgs(name: string, command: Command, argv: string[]): ParsedArgs {
  const args = parseArgs(argv, {
    values: new Set(command.options),
    booleans: new Set(command.booleans ?? []),
    optional: new Set(command.optional ?? []),
  });
  if (flag(args, 'help') !== 'true') checkOperands(name, command, args.positionals, argv);
  return args;
}

export async function main(argv: string[], io: CommandIO = defaultIO()): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
    if (argv.length > 1) {
      io.err(`weft ${argv[0]} takes nothing after it, got ${JSON.stringify(argv[1].slice(0, 100))}.`);
      return 2;
    }
    io.out(`weft ${weftVersion()}`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    // `weft help start`, `weft --help token create`: that command's help; `weft help token`: the group's commands.
    if (argv.length > 1) {
      const asked = findCommand(argv.slice(1));
      return asked && asked.rest.length === 0 ? main([...argv.slice(1), '--help'], io) : unknownCommand(argv.slice(1), io);
    }
    io.out(help());
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) return unknownCommand(argv, io);
  try {
    const { name, command, rest } = found;
    const args = commandArgs(name, command, rest);
    if (flag(args, 'help') === 'true') {
      io.out(`Usage: weft ${command.usage}\n\n${command.summary}`);
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (isWeftError(err)) {
      io.err(`weft ${found.name}: ${err.message}`);
      return 2;
    }
    const fileProblem = fileError(err);
    if (fileProblem) {
      io.err(`weft ${found.name}: ${fileProblem}`);
      return 2;
    }
    io.err(`weft ${found.name}: ${(err as Error)?.stack ?? String(err)}`);
    return 1;
  }
}

/** What the system refused about a file a command was given (`ENOENT`, `EISDIR`, `EACCES` with the path), said plainly; undefined for other errors. */
function fileError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string') return undefined;
  const reasons: Record<string, string> = {
    ENOENT: 'does not exist (nor, when it is to be written, its directory)',
    EISDIR: 'is a directory, not a file',
    ENOTDIR: 'has a part that is not a directory',
    EACCES: 'may not be read or written by this user',
    EPERM: 'may not be read or written by this user',
    EEXIST: 'already exists',
    ENOSPC: 'cannot be written: the disk is full',
    EROFS: 'is on a read-only file system',
  };
  const listen = e as NodeJS.ErrnoException & { address?: string; port?: number; option?: string; hostOption?: string; hostname?: string };
  const hostOption = listen.hostOption ?? '--host, --otlp-host';
  if (e.syscall === 'listen' && listen.port !== undefined) {
    const at = `${listen.address ?? ''}:${listen.port}`;
    const option = listen.option ?? '--port, --otlp-port';
    if (e.code === 'EADDRINUSE') return `${at} is already in use (EADDRINUSE): stop what listens there, or give another port (${option}).`;
    if (e.code === 'EACCES') return `${at} may not be listened on by this user (EACCES): ports below 1024 need privileges; give a higher one.`;
  }
  if (e.syscall === 'listen' && e.code === 'EADDRNOTAVAIL')
    return `${listen.address ?? ''} is not an address of this machine (EADDRNOTAVAIL): give one of its addresses (127.0.0.1, or 0.0.0.0 for all) to ${hostOption}.`;
  if (e.syscall === 'getaddrinfo' && (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'))
    return `"${listen.hostname ?? ''}" is not a host name or address this machine can listen on (${e.code}): give one of its addresses (127.0.0.1, or 0.0.0.0 for all) to ${hostOption}.`;
  const reason = Object.hasOwn(reasons, e.code) ? reasons[e.code] : undefined;
  return reason && typeof e.path === 'string' ? `${e.path} ${reason} (${e.code}${e.syscall ? ` on ${e.syscall}` : ''}).` : undefined;
}

function defaultIO(): CommandIO {
  return {
    // What is printed comes partly from telemetry (flow ids, system names, finding titles): it may not restyle the terminal.
    out: (t) => process.stdout.write(terminalText(t.endsWith('\n') ? t : `${t}\n`)),
    // Messages quote what was given (a file's text, an argument): nothing in it may restyle the terminal.
    err: (t) => process.stderr.write(printable(t.endsWith('\n') ? t : `${t}\n`)),
    env: process.env,
    cwd: process.cwd(),
  };
}
