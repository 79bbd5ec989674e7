import { readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ERR_CONFIG } from '../errors/index.ts';

/**
 * Reads one secret by name for the catalog's `env:NAME` references: from the secrets file when one is
 * configured (`--secrets-file` / WEFT_SECRETS_FILE, dotenv syntax `NAME=value`, parsed by Node's own
 * `util.parseEnv`), else from Weft's environment. The file is read again whenever its size or
 * modification time changes, so a probe added to the catalog with a new credential works after
 * `catalog reload` without restarting Weft. Values are never cached anywhere else, logged or stored.
 * Throws WEFT_ERR_CONFIG at start when the file cannot be read, or holds lines it would read other than
 * meant (`secretsFileProblems`); a lookup throws it while a changed file holds such lines.
 */
/**
 * What Node's dotenv reader (`util.parseEnv`) would read other than meant, by line (1-based), naming variables,
 * never values: a line that is not `NAME=value` (it would swallow the next line's name: `A: 1` then `B=2` reads
 * a variable "A: 1\nB"), an unquoted value with a `#` inside (it is cut there: `PASSWORD=p#ss` reads "p"), a name
 * given twice (the last would win without a word), and a WEFT_* name (never read from this file).
 * A quoted value may run over several lines.
 */
export function secretsFileProblems(text: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let open: { quote: string } | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    if (open) {
      if (line.includes(open.quote)) open = null;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*|)$/.exec(trimmed);
    if (!m) {
      problems.push(`line ${i + 1} is not NAME=value (names are letters, digits and _; comments start the line with #)`);
      return;
    }
    const [, name, value] = m;
    const first = seen.get(name);
    if (first !== undefined) problems.push(`line ${i + 1} gives ${name} again (first on line ${first}): give each name once`);
    else seen.set(name, i + 1);
    // A catalog may never read Weft's own settings, and Weft reads its own from its environment only.
    if (/^WEFT_/i.test(name))
      problems.push(`line ${i + 1}: ${name} is one of Weft's own settings, which are read from its environment, never from this file: set it there`);
    const quote = value[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      if (value.indexOf(quote, 1) === -1) open = { quote };
      return;
    }
    // "# comment" after a space is a comment; a # inside the value is a cut no one means.
    const hash = value.indexOf('#');
    if (hash > 0 && !/\s/.test(value[hash - 1]))
      problems.push(`line ${i + 1}: the value of ${name} holds a # that would cut it there (unquoted, # starts a comment): quote the value, ${name}="…"`);
  });
  if (open) problems.push(`a quoted value is not closed by the end of the file: close its ${(open as { quote: string }).quote}`);
  return problems;
}

export function secretsReader(file: string | undefined, env: Record<string, string | undefined>): (name: string) => string | undefined {
  if (!file) return (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
  let stamp = '';
  let values = new Map<string, string>();
  let malformed: Error | null = null;
  const load = (atStart: boolean) => {
    let now: string;
    try {
      const st = statSync(file);
      now = `${st.size}:${st.mtimeMs}`;
      if (now === stamp) return;
      const text = readFileSync(file, 'utf8');
      const problems = secretsFileProblems(text);
      stamp = now;
      if (problems.length > 0) {
        // Read as written it would hand out wrong values: none are read from it until it is mended.
        malformed = ERR_CONFIG(`WEFT_SECRETS_FILE / --secrets-file ${file}: ${problems.join('; ')}.`);
        values = new Map();
        return;
      }
      malformed = null;
      values = new Map(Object.entries(parseEnv(text)).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch (err) {
      if (atStart)
        throw ERR_CONFIG(
          `WEFT_SECRETS_FILE / --secrets-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); create it (NAME=value lines) or unset it.`,
        );
      malformed = null;
      // Removed or unreadable later: the environment still answers; the last good values are dropped.
      values = new Map();
      stamp = '';
    }
  };
  load(true);
  if (malformed) throw malformed;
  return (name) => {
    load(false);
    if (malformed) throw malformed;
    return values.get(name) ?? (Object.hasOwn(env, name) ? env[name] : undefined);
  };
}
