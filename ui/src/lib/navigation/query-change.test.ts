import { describe, expect, it } from 'vitest';
import { changedHref, isSameWindow } from './query-change.ts';

describe('changedHref', () => {
  const url = new URL('http://weft.test/flows/customer-sync?from=2026-11-30T10%3A44%3A00Z&to=2026-11-30T10%3A47%3A00.000Z&compare=1');

  // Regression: a drag-zoom giving the range already shown pushed the same URL again (Back had to be pressed twice).
  it('is null when the change leaves every parameter saying the same, times compared as instants', () => {
    expect(changedHref(url, { from: '2026-11-30T10:44:00.000Z', to: '2026-11-30T10:47:00.000Z', since: undefined })).toBeNull();
    expect(changedHref(url, { compare: '1' })).toBeNull();
    expect(changedHref(new URL('http://weft.test/findings'), { kind: '' })).toBeNull();
  });

  it('is the new href when a parameter changes, appears or goes', () => {
    expect(changedHref(url, { from: '2026-11-30T10:45:00.000Z' })).toBe(
      '/flows/customer-sync?from=2026-11-30T10%3A45%3A00.000Z&to=2026-11-30T10%3A47%3A00.000Z&compare=1',
    );
    expect(changedHref(url, { compare: undefined })).toBe('/flows/customer-sync?from=2026-11-30T10%3A44%3A00Z&to=2026-11-30T10%3A47%3A00.000Z');
    expect(changedHref(new URL('http://weft.test/findings?kind=drift'), { kind: '' })).toBe('/findings');
    expect(changedHref(new URL('http://weft.test/inventory?tab=flows'), { tab: 'systems' })).toBe('/inventory?tab=systems');
  });
});

describe('isSameWindow', () => {
  it('tells a zoom onto the window shown from one into a part of it', () => {
    const shown = { since: '2026-11-30T10:44:00.000Z', until: '2026-11-30T10:47:00.000Z' };
    expect(isSameWindow({ from: '2026-11-30T10:44:00.000Z', to: '2026-11-30T10:47:00.000Z' }, shown)).toBe(true);
    expect(isSameWindow({ from: '2026-11-30T10:45:00.000Z', to: '2026-11-30T10:47:00.000Z' }, shown)).toBe(false);
    expect(isSameWindow({ from: '2026-11-30T10:44:00.000Z', to: '2026-11-30T10:47:00.000Z' }, undefined)).toBe(false);
  });
});
