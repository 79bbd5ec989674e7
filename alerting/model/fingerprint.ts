import type { Labels } from './alert.ts';

/**
 * FNV-1a 64 state as four 16-bit limbs, lowest first (every product stays below 2^53, so plain numbers
 * hold it exactly, with no BigInt per byte).
 */
type State = [number, number, number, number];

/** h = (h XOR byte) × 0x100000001b3 mod 2^64: the prime is 2^40 + 0x1b3, so limb 2 takes h × 2^8 besides. */
function step(h: State, byte: number): void {
  const h0 = h[0] ^ byte;
  const r0 = h0 * 0x1b3;
  const r1 = h[1] * 0x1b3 + (r0 >>> 16);
  const r2 = h[2] * 0x1b3 + h0 * 0x100 + Math.floor(r1 / 0x10000);
  const r3 = h[3] * 0x1b3 + h[1] * 0x100 + Math.floor(r2 / 0x10000);
  h[0] = r0 & 0xffff;
  h[1] = r1 & 0xffff;
  h[2] = r2 & 0xffff;
  h[3] = r3 & 0xffff;
}

/** Feeds `s` as UTF-8 (a lone surrogate as U+FFFD, as Go's and TextEncoder's conversions do), then the byte 0xff. */
function feed(h: State, s: string): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      step(h, c);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x800) {
      step(h, 0xc0 | (c >> 6));
    } else if (c < 0x10000) {
      step(h, 0xe0 | (c >> 12));
      step(h, 0x80 | ((c >> 6) & 0x3f));
    } else {
      step(h, 0xf0 | (c >> 18));
      step(h, 0x80 | ((c >> 12) & 0x3f));
      step(h, 0x80 | ((c >> 6) & 0x3f));
    }
    step(h, 0x80 | (c & 0x3f));
  }
  step(h, 0xff);
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/**
 * A label set's fingerprint as Alertmanager computes it (prometheus/common model.LabelsToSignature):
 * FNV-1a 64 over the label names in sorted order, each name and value followed by the byte 0xff.
 * A label whose value is empty is left out, as Alertmanager's API drops it from an alert it receives
 * (an empty label is an absent one): `{ tier: '' }` would otherwise be another alert here than there.
 * Returns 16 lower-case hex digits; the same labels give the same fingerprint in any order, in any process.
 */
export function fingerprint(labels: Labels): string {
  // The offset basis 0xcbf29ce484222325, lowest limb first.
  const h: State = [0x2325, 0x8422, 0x9ce4, 0xcbf2];
  for (const name of Object.keys(labels).sort()) {
    if (labels[name] === '') continue;
    feed(h, name);
    feed(h, labels[name]);
  }
  return hex4(h[3]) + hex4(h[2]) + hex4(h[1]) + hex4(h[0]);
}
