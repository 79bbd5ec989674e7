import { describe, expect, it } from 'vitest';
import { rowHash, verifyChain, type AuditEntry } from './audit-chain.ts';

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const base = {
      seq,
      at: `2026-11-29T10:00:0${seq}.000Z`,
      actor: 'ana',
      role: 'sre',
      action: 'finding.acknowledge',
      subject: `f${seq}`,
      detail: '{"note":"x"}',
      prevHash: out.at(-1)?.hash ?? '',
    };
    out.push({ ...base, hash: rowHash(base) });
  }
  return out;
}

describe('audit chain', () => {
  it('accepts an intact chain and reports its head', () => {
    const rows = chain(5);
    expect(verifyChain(rows)).toEqual({ ok: true, rows: 5, head: { seq: 5, hash: rows[4].hash }, problems: [] });
  });

  it('names an altered row', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], actor: 'mallory' };
    expect(verifyChain(rows).problems).toEqual([{ seq: 3, problem: 'row 3 was altered: its content does not match its hash' }]);
  });

  it('names removed rows, in the middle and at the start', () => {
    const rows = chain(6);
    expect(verifyChain([...rows.slice(0, 2), ...rows.slice(4)]).problems).toEqual([{ seq: 5, problem: 'rows 3–4 are missing (removed)' }]);
    expect(verifyChain(rows.slice(1)).problems[0]).toEqual({ seq: 2, problem: 'row 1 is missing (removed)' });
  });

  it('names a row replaced with a re-hashed forgery: the next row no longer follows it', () => {
    const rows = chain(4);
    const forged = { ...rows[1], actor: 'mallory' };
    rows[1] = { ...forged, hash: rowHash(forged) };
    expect(verifyChain(rows).problems).toEqual([
      { seq: 3, problem: 'row 3 does not follow row 2: prev_hash differs (a row before it was altered or replaced)' },
    ]);
  });

  it('names a seq written twice (a second writer)', () => {
    const rows = chain(3);
    expect(verifyChain([...rows, rows[2]]).problems).toEqual([{ seq: 3, problem: 'row 3 appears again after row 3 (a second writer, or a copied row)' }]);
  });
});
