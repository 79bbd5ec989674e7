import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCommand } from './start.ts';

describe('weft start --help', () => {
  // Regression: an error told users to pass --public-name, which the usage did not list (nor --host, --window, …).
  it('names every option the configuration reads', () => {
    const parse = readFileSync(new URL('../../core/config/parse.ts', import.meta.url), 'utf8');
    const read = [...new Set([...parse.matchAll(/\b(?:f|from)\('([a-z-]+)'/g)].map((m) => m[1]))];
    expect(read.length).toBeGreaterThan(20);
    const missing = read.filter((name) => !new RegExp(`--${name}\\b`).test(startCommand.usage));
    expect(missing).toEqual([]);
    // …and takes each: an option the configuration reads but the command refused could never be set.
    const taken = new Set([...startCommand.options, ...(startCommand.booleans ?? []), ...(startCommand.optional ?? [])]);
    expect(read.filter((name) => !taken.has(name))).toEqual([]);
  });
});
