import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPidFile, holderAddress, stateHolderAddress } from './pid-lock.ts';

describe("a directory holder's stated address", () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pid-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is read back while its process holds the directory, and removed by it', () => {
    const d = dir();
    const release = claimPidFile(join(d, 'weft.pid'), () => {
      throw new Error('held');
    });
    const unstate = stateHolderAddress(d, 'http://127.0.0.1:8080');
    expect(holderAddress(d)).toBe('http://127.0.0.1:8080');
    unstate();
    expect(holderAddress(d)).toBeUndefined();
    release();
  });

  it('is not believed from a process that no longer holds it, nor when malformed', () => {
    const d = dir();
    // A holder that crashed left both files; a new one holds the directory now and stated nothing.
    writeFileSync(join(d, 'weft.url'), JSON.stringify({ pid: 999_999_999, url: 'http://127.0.0.1:3000' }));
    writeFileSync(join(d, 'weft.pid'), String(process.pid));
    expect(holderAddress(d)).toBeUndefined();
    writeFileSync(join(d, 'weft.url'), JSON.stringify({ pid: process.pid, url: 'http://a b' }));
    expect(holderAddress(d)).toBeUndefined();
    writeFileSync(join(d, 'weft.url'), '{not json');
    expect(holderAddress(d)).toBeUndefined();
  });

  it('is not believed when its process is gone', async () => {
    const d = dir();
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(d, 'weft.pid'), String(child.pid));
    writeFileSync(join(d, 'weft.url'), JSON.stringify({ pid: child.pid, url: 'http://127.0.0.1:3000' }));
    expect(holderAddress(d)).toBeUndefined();
  });

  it('leaves a file another process stated since', () => {
    const d = dir();
    const unstate = stateHolderAddress(d, 'http://127.0.0.1:8080');
    writeFileSync(join(d, 'weft.url'), JSON.stringify({ pid: 1, url: 'http://127.0.0.1:9090' }));
    unstate();
    writeFileSync(join(d, 'weft.pid'), '1');
    expect(holderAddress(d)).toBe('http://127.0.0.1:9090');
  });
});
