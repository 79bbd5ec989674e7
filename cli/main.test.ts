import { describe, expect, it } from 'vitest';
import type { CommandIO } from './command.ts';
import { main, weftVersion } from './main.ts';

function capture(): CommandIO & { text: () => string } {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), env: {}, cwd: process.cwd(), text: () => lines.join('\n') };
}

describe('weft (cli/main)', () => {
  it('prints the version of package.json for --version', async () => {
    const io = capture();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.text()).toBe(`weft ${weftVersion()}`);
    expect(weftVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  // Regression: command names were looked up in a plain object, so `weft constructor` found Object's constructor.
  it.each([['constructor'], ['__proto__'], ['toString'], ['hasOwnProperty', 'x']])('answers "unknown command" for %s, not a crash', async (...argv) => {
    const io = capture();
    expect(await main(argv, io)).toBe(2);
    expect(io.text()).toContain('Unknown command');
  });
});
