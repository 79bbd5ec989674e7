/**
 * The spans of an open spool segment, by the two 32-bit hashes of their trace id and span id (`spanIdHashes`, collector/
 * otlp/trace-decoder.ts): an open-addressed table of the pairs in one typed array (a pair's slot is one memory read), so
 * that a segment of 50,000 spans costs no allocation per span. Spans with other ids share both hashes once in about
 * 2^63 / 50,000² segments: that segment is sealed early.
 */
export class SpanIdSet {
  /** Slot i holds a pair (h1, h2 | 1) at 2i, 2i + 1; (0, 0) is an empty slot. */
  private pairs = new Uint32Array(2 * 4096);
  private n = 0;

  /**
   * Adds the pairs of `ids` (h1, h2, h1, h2, …); false, at the first pair already there (the pairs before it are added:
   * the caller starts a new set).
   */
  addAll(ids: Uint32Array): boolean {
    for (let i = 0; i < ids.length; i += 2) {
      if ((this.n + 1) * 4 > this.pairs.length) this.grow();
      if (!this.add(ids[i], (ids[i + 1] | 1) >>> 0)) return false;
    }
    return true;
  }

  private add(h1: number, h2: number): boolean {
    const p = this.pairs;
    const mask = (p.length >>> 1) - 1;
    let slot = h1 & mask;
    for (;;) {
      const a = p[slot * 2];
      const b = p[slot * 2 + 1];
      if (b === 0) break;
      if (a === h1 && b === h2) return false;
      slot = (slot + 1) & mask;
    }
    p[slot * 2] = h1;
    p[slot * 2 + 1] = h2;
    this.n++;
    return true;
  }

  private grow(): void {
    const old = this.pairs;
    this.pairs = new Uint32Array(old.length * 2);
    this.n = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.add(old[i], old[i + 1]);
  }
}
