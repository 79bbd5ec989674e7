import { existsSync, mkdirSync, statSync } from 'node:fs';

/**
 * Makes Weft's data directory private to the user Weft runs as: a directory that does not exist is made with mode 0700
 * (and so are the parents it needs), so the store, the spool, the report bundles and the signing key under it are not
 * readable by other users of the machine, whatever the umask (0022 made them all world-readable, though the API gives
 * them only to tokens of some roles). An existing directory is left as it is; returns a sentence to log when other users
 * may read it (group or others have any permission), undefined otherwise. Errors of mkdir/stat are thrown (EACCES…).
 */
export function ensurePrivateDir(dir: string): string | undefined {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return undefined;
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0 || process.platform === 'win32') return undefined;
  return `The data directory ${dir} is open to other users of this machine (mode ${mode.toString(8)}): its store, spool and report bundles hold what the API gives only to tokens. Run "chmod 700 ${dir}".`;
}
