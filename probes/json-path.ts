/**
 * A small JSON path: `$`, `.name`, `['name']`, `[0]`. An array at the end counts its elements;
 * a number (or a numeric string) is taken as is.
 */
export function parseJsonPath(path: string): Array<string | number> {
  if (!path.startsWith('$')) throw new Error(`JSON path "${path}" must start with $`);
  const parts: Array<string | number> = [];
  const re = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const at = re.lastIndex;
    const m = re.exec(path);
    if (!m) throw new Error(`JSON path "${path}": cannot read from position ${at}`);
    parts.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  }
  return parts;
}

export type CountResult = { ok: true; value: number } | { ok: false; reason: string };

export function countAt(doc: unknown, path: string): CountResult {
  let cur: unknown = doc;
  const walked: string[] = ['$'];
  for (const part of parseJsonPath(path)) {
    if (cur === null || typeof cur !== 'object')
      return { ok: false, reason: `${walked.join('')} is ${cur === null ? 'null' : typeof cur}, not an object or array` };
    // Own properties only: `$.constructor` or `$.__proto__` is missing, not Object's.
    cur = Object.hasOwn(cur, part) ? (cur as Record<string | number, unknown>)[part] : undefined;
    walked.push(typeof part === 'number' ? `[${part}]` : `.${part}`);
    if (cur === undefined) return { ok: false, reason: `${walked.join('')} is missing from the response` };
  }
  if (Array.isArray(cur)) return { ok: true, value: cur.length };
  if (typeof cur === 'number' && Number.isFinite(cur)) return { ok: true, value: cur };
  if (typeof cur === 'string' && cur.trim() !== '' && Number.isFinite(Number(cur))) return { ok: true, value: Number(cur) };
  return { ok: false, reason: `${path} is ${JSON.stringify(cur)?.slice(0, 60)}, not a count` };
}
