import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockSpool } from './spool-lock.ts';

describe('lockSpool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-spool-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a second process in plain words that the spool directory is taken', () => {
    writeFileSync(join(dir, 'collector.pid'), String(process.ppid));
    expect(() => lockSpool(dir)).toThrow(
      `The spool directory ${dir} is in use by another Weft process (pid ${process.ppid}). Give each collector its own --spool directory.`,
    );
  });

  it('takes over a directory whose owner is gone', () => {
    writeFileSync(join(dir, 'collector.pid'), '999999999');
    const release = lockSpool(dir);
    release();
  });
});
