import type { Labels } from './alert.ts';

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * A label set's fingerprint as Alertmanager computes it (prometheus/common model.LabelsToSignature):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by the byte 0xff.
 * Returns 16 lower-case hex digits; the same labels give the same fingerprint in any order, in any process.
 */
export function fingerprint(labels: Labels): string {
  let h = OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * PRIME) & MASK;
    }
  };
  const sep = new Uint8Array([0xff]);
  const enc = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(sep);
    add(enc.encode(labels[name]));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}
