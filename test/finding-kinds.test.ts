import { describe, expect, it } from 'vitest';
import { analyzerKinds } from '../analyzer/index.ts';
import { findingKinds } from '../core/contracts/index.ts';
import { probeFindingKinds } from '../probes/index.ts';

describe('finding kinds', () => {
  it('each kind of the contract is detected by exactly one part (the analyzer or the probes)', () => {
    const owners = [...analyzerKinds, ...probeFindingKinds];
    expect(owners.filter((k, i) => owners.indexOf(k) !== i)).toEqual([]);
    expect([...owners].sort()).toEqual([...findingKinds].sort());
  });
});
