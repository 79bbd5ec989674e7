import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CommandIO } from './command.ts';
import { commands } from './commands/index.ts';
import { commandArgs, findCommand, main } from './main.ts';

const root = new URL('..', import.meta.url);

/** `weft …` command lines in README.md and docs/*.md: code blocks and inline code, comments and redirections cut. */
function documentedCommandLines(): Array<{ file: string; line: string; inline: boolean }> {
  const files = [
    'README.md',
    ...readdirSync(new URL('docs/', root))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const out: Array<{ file: string; line: string; inline: boolean }> = [];
  const start = /^(?:\$ )?(?:npm run weft -- |npx weft |weft )(?=[a-z])/;
  for (const file of files) {
    const text = readFileSync(new URL(file, root), 'utf8');
    const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => m[1].replace(/\\\n/g, ' ').split('\n'));
    const spans = [...text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
    for (const [lines, inline] of [
      [blocks, false],
      [spans, true],
    ] as const) {
      for (const raw of lines) {
        const line = raw.trim().split(/\s+#\s|\s[>|]\s/)[0];
        // Synopses ([--since 7d], FILE…) are usage, not command lines.
        if (start.test(line) && !/[[…×]/.test(line)) out.push({ file, line: line.replace(start, ''), inline });
      }
    }
  }
  return out;
}

/** Splits a shell line into words: double and single quotes group, nothing is expanded. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe('every command takes the flags its usage shows, and only those', () => {
  it.each(Object.entries(commands))('weft %s', (name, command) => {
    const inUsage = new Set([...command.usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
    const taken = new Set([...command.options, ...(command.booleans ?? []), ...(command.optional ?? [])]);
    expect(
      [...inUsage].filter((f) => !taken.has(f)),
      'shown in its usage but refused',
    ).toEqual([]);
    expect(
      [...taken].filter((f) => !inUsage.has(f)),
      'taken but not shown in its usage',
    ).toEqual([]);
  });

  // Every command line the README and the docs tell users to run must read: a flag renamed or dropped from
  // a command would otherwise fail only for the user who copies it.
  it('reads every weft command line of the README and the docs', () => {
    const lines = documentedCommandLines();
    expect(lines.length).toBeGreaterThan(30);
    const refused: string[] = [];
    for (const { file, line, inline } of lines) {
      const argv = words(line);
      const found = findCommand(argv);
      if (!found) {
        // "`weft probe`" in prose names a group of commands.
        if (inline && argv.length === 1) continue;
        refused.push(`${file}: ${line}: no such command`);
        continue;
      }
      try {
        commandArgs(found.name, found.command, found.rest);
      } catch (err) {
        // Prose names a flag by itself ("`weft audit --data`"): that is a mention, not a command line.
        if (inline && /needs a value/.test((err as Error).message)) continue;
        refused.push(`${file}: ${line}: ${(err as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('reads the command of every Weft service in docker-compose.yml', () => {
    const compose = parseYaml(readFileSync(new URL('docker-compose.yml', root), 'utf8')) as {
      services: Record<string, { image?: string; command?: string[] }>;
    };
    const weftServices = Object.values(compose.services).filter((s) => s.image === 'weft:local');
    expect(weftServices.length).toBe(2);
    for (const { command } of weftServices) {
      const found = findCommand(command ?? []);
      expect(found, String(command)).toBeDefined();
      expect(() => commandArgs(found!.name, found!.command, found!.rest)).not.toThrow();
    }
  });
});

function capture(): CommandIO & { text: () => string } {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), env: {}, cwd: '/nonexistent', text: () => lines.join('\n') };
}

/** Runs `weft argv` and expects exit code 2 with exactly `message` (or a text matching it). */
async function refusedWith(argv: string[], message: string | RegExp): Promise<void> {
  const io = capture();
  expect(await main(argv, io)).toBe(2);
  if (typeof message === 'string') expect(io.text()).toBe(message);
  else expect(io.text()).toMatch(message);
}

describe('weft report checks where the bundle goes before it starts one', () => {
  // Regression: --out in a missing directory, or naming a directory, was refused only after the report had been
  // assembled (and recorded as a run) on the server.
  it('refuses an --out it could not write, saying what to give instead', async () => {
    await refusedWith(
      ['report', '--url', 'http://127.0.0.1:9', '--out', '/nonexistent/dir/r.zip'],
      /^weft report: --out \/nonexistent\/dir\/r\.zip: the directory \/nonexistent\/dir does not exist/,
    );
    await refusedWith(
      ['report', '--url', 'http://127.0.0.1:9', '--out', '/tmp'],
      /^weft report: --out \/tmp is a directory: give a file name, such as \/tmp\/report\.zip\./,
    );
  });
});

describe('weft refuses, before doing anything, what it would otherwise drop', () => {
  // Regression: each of these ran, doing something else than asked: the default look-back, one token of two,
  // every fault, the demo instead of the catalog, the local store instead of the one named.
  it.each([
    [['audit', '--sinc', '30s'], 'weft audit: unknown flag --sinc (did you mean --since?).'],
    [['token', 'create', '--role', 'sre', '--nam', 'x'], 'weft token create: unknown flag --nam (did you mean --name?).'],
    [['audit', '--demo'], /^weft audit: unknown flag --demo: this command takes --url, --catalog, /],
    [['catalog', 'validate', 'x.yaml', '--out', 'y'], 'weft catalog validate: unknown flag --out: this command takes --catalog-env-allow, --catalog-env-deny.'],
    [['token', 'revoke', 'a', 'b'], 'weft token revoke: takes one argument, got 2: "a", "b"; see "weft token revoke --help".'],
    [['alerts', 'ack', 'f1', 'f2'], 'weft alerts ack: takes one argument, got 2: "f1", "f2"; see "weft alerts ack --help".'],
    [
      ['start', '--demo', '--faults', 'shadow-it'],
      'weft start: "shadow-it" is not a catalog file: a value for --faults goes after "=", as in --faults=shadow-it.',
    ],
    // `--catalog flows/*.yaml` as the shell passes it: both files are read (and, missing, named) before anything starts.
    [
      ['start', '--catalog', '/nonexistent-weft/estate.yaml', '/nonexistent-weft/flows.yaml'],
      /^weft start: The estate catalog has 2 problems:\n {2}\/nonexistent-weft\/estate\.yaml: no such file.*\n {2}\/nonexistent-weft\/flows\.yaml: no such file/,
    ],
    [['start', '--demo=yes'], 'weft start: --demo takes no value (or =true / =false), got "yes": write --demo alone, or leave it out.'],
    [['start', '--demo', '--faults='], 'weft start: --faults= was given an empty value (an unset variable?): write --faults alone, or --faults=VALUE.'],
    [['start', '--demo', '--faults=stale-flwo'], /^weft start: Unknown demo fault "stale-flwo" \(did you mean "stale-flow"\?\); choose from /],
    [
      ['start', '--catalog', 'mine.yaml', '--faults=stale-flow'],
      'weft start: --faults shapes the demo, which is off here: a catalog is given (--catalog or WEFT_CATALOG), so Weft watches that estate. Leave it out, or run the demo (weft start --demo, without a catalog).',
    ],
    [
      ['start', '--no-faults', '--demo-time-scale', '0.5'],
      /^weft start: --no-faults, --demo-time-scale shape the demo, which is off here: it runs only with --demo\./,
    ],
    [['start', '-port', '3001'], 'weft start: "-port": flags take two dashes (--port).'],
    [['alerts', 'list', '--json=1'], 'weft alerts list: --json takes no value (or =true / =false), got "1": write --json alone, or leave it out.'],
    [
      ['report', '--url', 'http://127.0.0.1:9', '--data', 'd'],
      'weft report: --url asks a running Weft, which uses its own store, catalog and pairing; leave out --data.',
    ],
    [
      ['token', 'list', '--url', 'http://127.0.0.1:9', '--clickhouse', 'http://ch:8123'],
      'weft token list: --url asks a running Weft, which uses its own store; leave out --clickhouse.',
    ],
    [
      ['audit-log', 'verify', '--url', 'http://127.0.0.1:9', '--data', 'd'],
      'weft audit-log verify: --url asks a running Weft, which uses its own store; leave out --data.',
    ],
    [
      ['report', 'key', '--url', 'http://127.0.0.1:9', '--data', 'd'],
      'weft report key: --url asks a running Weft, which uses its own data directory; leave out --data.',
    ],
    [
      ['alerts', 'test', 'flow-stale', '--url', 'http://127.0.0.1:9', '--catalog', 'x.yaml'],
      'weft alerts test: --url asks a running Weft, which uses its own store and catalog; leave out the catalog files.',
    ],
    [
      ['alerts', 'test', 'flow-stale', '--data', 'd'],
      'weft alerts test: --data and --clickhouse need the catalog the rule is in: add --catalog FILE (or ask a running Weft with --url).',
    ],
  ])('weft %j', refusedWith);

  // Regression: each of these also did something else than asked, or ended in a stack trace (exit 1).
  it.each([
    [['start', '--port', '3000', '--port', '4000'], 'weft start: --port is given more than once ("3000", "4000"): give it once.'],
    [['start', '--demo', '--faults=stale-flow', '--no-faults'], 'weft start: Give --faults or --no-faults, not both.'],
    [['start', '--demo', '--no-demo'], 'weft start: Give --demo or --no-demo, not both.'],
    [['start', '--demo', '--log-level', 'verbose'], 'weft start: --log-level takes fatal, error, warn, info, debug, trace, silent, got "verbose".'],
    [
      ['start', '--demo', '--log-level', 'wran'],
      'weft start: --log-level takes fatal, error, warn, info, debug, trace, silent, got "wran" (did you mean "warn"?).',
    ],
    [
      ['probe', 'run', 'p', '--catalog', 'a.yaml', '--log-level=trace2'],
      /^weft probe run: --log-level takes fatal, .*, got "trace2" \(did you mean "trace"\?\)\.$/,
    ],
    [['start', '--demo', '--window', '5x'], 'weft start: --window must be a duration like 30s, 5m, 2h or 7d, got "5x".'],
    // Regression (break test): a duration of no time was taken: `weft start --analyze-every 0s` analysed in a loop that
    // never rested, `--window 0s` judged a window of nothing, and `weft audit --catalog … --since 0s` passed as a CI gate
    // (exit 0, no findings) where `--url` was refused by the API.
    [['start', '--demo', '--window', '0s'], 'weft start: --window must be longer than 0 (a window of no time holds no flows), got "0s".'],
    [['start', '--demo', '--analyze-every', '0ms'], 'weft start: --analyze-every must be longer than 0 (an analysis every 0 s never rests), got "0ms".'],
    [['audit', '--catalog', 'a.yaml', '--since', '0m'], 'weft audit: --since must be longer than 0 (no time at all is not a window), got "0m".'],
    [['alerts', 'test', 'flow-stale', '--since', '0s'], 'weft alerts test: --since must be longer than 0 (no time at all is not a window), got "0s".'],
    [
      ['alerts', 'silence', 'flow=x', '--comment', 'c', '--duration', '0h'],
      'weft alerts silence: --duration must be longer than 0 (a silence of no time silences nothing), got "0h".',
    ],
    [['report', '--until=garbage'], /^weft report: --until takes a duration back from now \(24h, 7d\) or an RFC 3339 time .*, got "garbage"\.$/],
    [
      ['alerts', 'silence', '--expire', 'abc', 'flow=x', '--comment', 'c'],
      'weft alerts silence: --expire ends a silence; it takes no matchers or --comment: expire it, then make a new one if need be.',
    ],
    [
      ['token', 'create', '--role', 'amdin', '--name', 'x'],
      'weft token create: --role takes ingest, viewer, sre, icoe, auditor, admin, got "amdin" (did you mean "admin"?).',
    ],
    [['catalog', 'validate', ''], 'weft catalog validate: An empty argument was given (an unset variable?): give it a value, or leave it out.'],
    [
      ['probe', 'run', 'p', '--catalog', 'a.yaml', '--data', 'd', '--clickhouse', 'http://ch:8123'],
      'weft probe run: Give either --clickhouse (a ClickHouse server) or --data (an embedded data directory), not both.',
    ],
    [
      ['catalog', 'import-backstage', '/nonexistent-weft/catalog-info.yaml'],
      /^weft catalog import-backstage: \/nonexistent-weft\/catalog-info\.yaml does not exist .*\(ENOENT on open\)\.$/,
    ],
    [
      ['catalog', 'validate', 'x.yaml', '--catalog-env-allow', 'CRM-*'],
      'weft catalog validate: --catalog-env-allow takes variable names or patterns like CRM_* (letters, digits, _ and *), got "CRM-*".',
    ],
  ])('weft %j', refusedWith);

  // Regression: `weft help nosuch` printed the general help with exit 0; `weft catalog valdate x` named no command meant.
  it("names the command meant, or a group's commands, for a command that is not one", async () => {
    await refusedWith(['help', 'nosuch'], /^Unknown command "nosuch"\.\n\nUsage: weft <command>/);
    await refusedWith(['catalog', 'valdate', 'x.yaml'], 'Unknown command "catalog valdate": did you mean "weft catalog validate"?');
    await refusedWith(['stat', '--demo'], 'Unknown command "stat": did you mean "weft start"?');
    // Regression (break test): a two-word command misspelt in its first word listed every command, with no suggestion.
    await refusedWith(['tokn', 'list'], 'Unknown command "tokn list": did you mean "weft token list"?');
    await refusedWith(['audit-lg', 'verify'], 'Unknown command "audit-lg verify": did you mean "weft audit-log verify"?');
    await refusedWith(['token', 'frob'], 'Unknown command "token frob".\n\n"weft token" has: weft token create, weft token list, weft token revoke.');
    await refusedWith(['help', 'token'], /^"weft token" needs one of its commands:\n/);
    await refusedWith(['--version', 'extra'], 'weft --version takes nothing after it, got "extra".');
  });

  it('quotes at most 100 characters of what it was given', async () => {
    for (const [argv, message] of [
      [[`--${'x'.repeat(5000)}`], /^Unknown command "--x{98}"\./],
      [['audit', `--${'x'.repeat(5000)}`], /^weft audit: unknown flag --x{100}…: this command takes /],
      [['start', `--demo=${'y'.repeat(5000)}`], /^weft start: --demo takes no value \(or =true \/ =false\), got "y{100}…": /],
      [['start', '--demo', `--faults=${'z'.repeat(5000)}`], /^weft start: Unknown demo fault "z{100}…"; choose from /],
    ] as const) {
      const io = capture();
      expect(await main([...argv], io)).toBe(2);
      expect(io.text().length).toBeLessThan(4000);
      expect(io.text()).toMatch(message);
    }
  });

  it('gives a command\'s help for "weft help CMD", and the commands of a group for "weft token"', async () => {
    for (const argv of [
      ['help', 'token', 'list'],
      ['--help', 'token', 'list'],
      ['-h', 'token', 'list'],
      ['token', 'list', '-h'],
    ]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(0);
      expect(io.text(), argv.join(' ')).toMatch(/^Usage: weft token list /);
    }
    const group = capture();
    expect(await main(['token'], group)).toBe(2);
    expect(group.text()).toMatch(/^"weft token" needs one of its commands:\n {2}weft token create +Make a token/);
    // Regression: `weft token --help` answered `Unknown command "token --help"` with exit 2.
    for (const argv of [
      ['token', '--help'],
      ['catalog', '-h'],
    ]) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(0);
      expect(io.text(), argv.join(' ')).toMatch(
        new RegExp(`^"weft ${argv[0]}" has these commands \\("weft ${argv[0]} COMMAND --help" for one\\):\n {2}weft ${argv[0]} `),
      );
    }
  });

  it('still reads a switch given =true or =false, and asks for help with -h', async () => {
    const io = capture();
    expect(await main(['token', 'list', '-h'], io)).toBe(0);
    expect(io.text()).toMatch(/^Usage: weft token list /);
    const off = capture();
    expect(await main(['start', '--demo=false', '--faults'], off)).toBe(2);
    expect(off.text()).toMatch(/^weft start: --faults shapes the demo, which is off here: it runs only with --demo\./);
  });
});
