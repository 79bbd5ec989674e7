import { readFileSync, statSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ERR_CONFIG } from '../errors/index.ts';

/**
 * Reads one secret by name for the catalog's `env:NAME` references: from the secrets file when one is
 * configured (`--secrets-file` / WEFT_SECRETS_FILE, dotenv syntax `NAME=value`, parsed by Node's own
 * `util.parseEnv`), else from Weft's environment. The file is read again whenever its size or
 * modification time changes, so a probe added to the catalog with a new credential works after
 * `catalog reload` without restarting Weft. Values are never cached anywhere else, logged or stored.
 * Throws WEFT_ERR_CONFIG at start when the file cannot be read.
 */
export function secretsReader(file: string | undefined, env: Record<string, string | undefined>): (name: string) => string | undefined {
  if (!file) return (name) => (Object.hasOwn(env, name) ? env[name] : undefined);
  let stamp = '';
  let values = new Map<string, string>();
  const load = (atStart: boolean) => {
    let now: string;
    try {
      const st = statSync(file);
      now = `${st.size}:${st.mtimeMs}`;
      if (now === stamp) return;
      values = new Map(Object.entries(parseEnv(readFileSync(file, 'utf8'))).filter((e): e is [string, string] => typeof e[1] === 'string'));
      stamp = now;
    } catch (err) {
      if (atStart)
        throw ERR_CONFIG(
          `WEFT_SECRETS_FILE / --secrets-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); create it (NAME=value lines) or unset it.`,
        );
      // Removed or unreadable later: the environment still answers; the last good values are dropped.
      values = new Map();
      stamp = '';
    }
  };
  load(true);
  return (name) => {
    load(false);
    return values.get(name) ?? (Object.hasOwn(env, name) ? env[name] : undefined);
  };
}
