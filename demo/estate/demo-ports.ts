import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The ports a demo estate listened on, kept in its work directory (`ports.json`: `{ "<name>": port }`), so that a
 * restarted demo listens on the same ones when they are free. Its catalog names them (probe URLs, the runtime's run
 * endpoint): on new random ports every start, each restart stored a catalog version with seven changes, which a
 * compliance report's catalog history listed, and a `weft probe run` against the catalog file reached nothing.
 */
const FILE = 'ports.json';

/** The ports kept in `workDir`, by name; empty when there is no file or it cannot be read (a port is then any free one). */
export function readDemoPorts(workDir: string): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(workDir, FILE), 'utf8'));
  } catch {
    return new Map();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Map();
  return new Map(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isInteger(e[1]) && e[1] > 0 && e[1] < 65536));
}

/** Keeps `ports` (by name) in `workDir`. Throws what writing the file throws. */
export function writeDemoPorts(workDir: string, ports: Map<string, number>): void {
  writeFileSync(join(workDir, FILE), `${JSON.stringify(Object.fromEntries(ports), null, 2)}\n`);
}

/**
 * Starts a listener on `preferred` (a port a previous demo used), or on any free port when there is none or it is
 * taken (EADDRINUSE, EACCES: another process has it now). Rejects with `start`'s other errors.
 */
export async function listenPreferring<T>(preferred: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (preferred === undefined) return start(0);
  try {
    return await start(preferred);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return start(0);
    throw err;
  }
}
