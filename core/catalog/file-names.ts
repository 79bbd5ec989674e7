import { dirname, relative, resolve, sep } from 'node:path';

/**
 * The catalog's files named relative to the one directory that holds them all (`/srv/estate/catalog/a.yaml` and
 * `/srv/estate/catalog/teams/b.yaml` → `a.yaml`, `teams/b.yaml`): what a reader who may not reload the catalog is
 * shown, so the API tells them which file without telling them where on the server it lives. A relative path is
 * resolved against the working directory first. Same order and length as `sources`.
 */
export function catalogFileNames(sources: readonly string[]): string[] {
  if (sources.length === 0) return [];
  const full = sources.map((s) => resolve(s));
  const dirs = full.map((f) => dirname(f).split(sep));
  let common = dirs[0].length;
  for (const d of dirs) {
    let i = 0;
    while (i < common && i < d.length && d[i] === dirs[0][i]) i++;
    common = i;
  }
  const root = dirs[0].slice(0, common).join(sep) || sep;
  return full.map((f) => relative(root, f));
}
