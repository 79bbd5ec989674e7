import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { writeExclusive } from './report.ts';

// Regression (break test): `weft report --out report.zip` replaced an existing file without a word, a signed bundle an
// auditor may already have been given among them.
describe('weft report --out on a file that exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses before any work, naming the file, and leaves it as it was', async () => {
    const kept = join(dir, 'report.zip');
    writeFileSync(kept, 'the bundle given to the auditor');
    const err: string[] = [];
    // Nothing listens on the URL: the refusal comes before the report is asked for.
    const code = await main(['report', '--url', 'http://127.0.0.1:9', '--out', 'report.zip'], {
      out: () => undefined,
      err: (t) => err.push(t),
      env: {},
      cwd: dir,
    });
    expect([code, err.join('\n')]).toEqual([2, `weft report: --out ${kept} exists: write the report to another file, or remove that one first.`]);
    expect(readFileSync(kept, 'utf8')).toBe('the bundle given to the auditor');
  });
});

// Regression (break test): three `weft report --out same.zip` run at once all printed "Wrote same.zip": the file was
// checked before the report was assembled and then written over, so two of the three signed bundles were lost.
describe('weft report --out created by another export while this one was assembled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-race-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the other bundle as it is and says so', async () => {
    const out = join(dir, 'same.zip');
    const id = '00000000-0000-4000-8000-000000000001';
    const run = { id, status: 'done', error: '', bundle: `/api/v1/reports/${id}/bundle` };
    // A Weft that answers the report API; the other export writes the file just before this one downloads its bundle.
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/bundle')) {
        writeFileSync(out, 'the bundle the other export wrote');
        res.writeHead(200, { 'content-type': 'application/zip' }).end('PK not a bundle');
        return;
      }
      res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ report: run }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const err: string[] = [];
    try {
      const code = await main(['report', '--url', `http://127.0.0.1:${(server.address() as AddressInfo).port}`, '--out', 'same.zip'], {
        out: () => undefined,
        err: (t) => err.push(t),
        env: {},
        cwd: dir,
      });
      expect(code).toBe(2);
    } finally {
      server.close();
    }
    expect(err.join('\n')).toContain(`--out ${out} was created by something else while the report was assembled`);
    expect(readFileSync(out, 'utf8')).toBe('the bundle the other export wrote');
  });
});

describe('weft report --url on a Weft whose export places are all taken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-busy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints what Weft said and when to try again, and writes nothing', async () => {
    const message =
      'Weft is assembling 1 report and has 4 waiting, as many as it takes at once: try again in 42 s (Retry-After); the reports already started are listed by GET /api/v1/reports.';
    const server = createServer((_req, res) => {
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '42' })
        .end(JSON.stringify({ statusCode: 429, code: 'WEFT_ERR_REPORTS_BUSY', error: message, message }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const err: string[] = [];
    try {
      const code = await main(['report', '--url', url, '--out', 'r.zip'], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd: dir });
      expect(code).toBe(2);
    } finally {
      server.close();
    }
    expect(err.join('\n')).toBe(`weft report: Weft at ${url} is busy (429) and asks to try again in 42 s: ${message}`);
    expect(existsSync(join(dir, 'r.zip'))).toBe(false);
  });
});

// Regression: a bundle written with --out took the umask's mode (0644): every user of the machine could read the estate's
// regulated flows and exceptions in it.
describe('weft report --out file mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-report-mode-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bundle readable by its owner only', () => {
    const out = join(dir, 'report.zip');
    const umask = process.umask(0o022);
    try {
      writeExclusive(out, new Uint8Array([0x50, 0x4b]));
    } finally {
      process.umask(umask);
    }
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});
