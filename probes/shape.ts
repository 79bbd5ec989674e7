import { createHash } from 'node:crypto';
import type { ShapeFingerprint } from './kinds/probe-kind.ts';

/** The JSON shape of a value: object keys (sorted) with their shapes, array element shapes merged, leaf types. */
export function jsonShape(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const shapes = new Map<string, unknown>();
    for (const item of value.slice(0, 20)) {
      const s = jsonShape(item, depth + 1);
      shapes.set(JSON.stringify(s), s);
    }
    return [...shapes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
  }
  if (typeof value === 'object') {
    // No prototype: a probed API's "__proto__" or "constructor" key is a key like any other.
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value as object).sort()) out[key] = jsonShape((value as Record<string, unknown>)[key], depth + 1);
    return out;
  }
  return typeof value;
}

export function fingerprintOf(shape: unknown): ShapeFingerprint {
  const text = JSON.stringify(shape);
  return { fingerprint: createHash('sha256').update(text).digest('hex').slice(0, 16), shape: text };
}
