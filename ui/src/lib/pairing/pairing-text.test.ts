import { describe, expect, it } from 'vitest';
import { pairingText } from './pairing-text.ts';

describe('pairingText', () => {
  it('writes one trace and one span in the singular (it said "1 trace (1 spans)")', () => {
    expect(pairingText({ pendingTraces: 1, pendingSpans: 1 })).toMatch(/^1 trace \(1 span\) arrived and is still being paired/);
    expect(pairingText({ pendingTraces: 2, pendingSpans: 1204 })).toMatch(/^2 traces \(1,204 spans\) arrived and are still being paired/);
  });

  it('says nothing when no trace waits', () => {
    expect(pairingText({ pendingTraces: 0, pendingSpans: 0 })).toBeNull();
    expect(pairingText(undefined)).toBeNull();
  });
});
