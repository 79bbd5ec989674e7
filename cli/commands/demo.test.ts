import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../core/config/index.ts';
import { runDemo } from './demo.ts';

describe('weft demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-cmd-'));
  const received: string[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push(`${req.headers.authorization ?? ''} ${body}`);
      res.end();
    });
  });
  let otlp = '';
  beforeAll(async () => {
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    otlp = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const io = (out: string[]) => ({ out: (t: string) => out.push(t), err: (t: string) => out.push(t), env: {}, cwd: dir });

  it('runs the estate against a remote OTLP endpoint with its token, and writes a catalog whose probes name the advertised host', async () => {
    const out: string[] = [];
    const args = parseArgs([
      '--otlp',
      otlp,
      '--otlp-token',
      's3cret',
      '--no-faults',
      '--demo-time-scale',
      '0.05',
      '--out',
      'catalog',
      '--bind',
      '0.0.0.0',
      '--advertise',
      'demo',
      '--log-level',
      'silent',
    ]);
    const code = await runDemo(args, io(out), async (demo) => {
      for (let i = 0; i < 80 && received.length === 0; i++) {
        await demo.flush();
        await new Promise((r) => setTimeout(r, 250));
      }
      const catalog = readFileSync(demo.catalogFile, 'utf8');
      expect(demo.catalogFile).toBe(join(dir, 'catalog', 'demo-catalog.yaml'));
      expect(catalog).toMatch(/url: "http:\/\/demo:\d+\/api\/customers\/count"/);
    });
    expect(code).toBe(0);
    expect(received.length).toBeGreaterThan(0);
    expect(received[0].startsWith('Bearer s3cret ')).toBe(true);
    expect(out.join('\n')).toContain('faults: none');
  }, 30_000);

  it('says what an --otlp value must look like', async () => {
    await expect(runDemo(parseArgs(['--otlp', 'weft:4318']), io([]), async () => {})).rejects.toThrow(
      '--otlp must be Weft\'s OTLP/HTTP base URL like http://weft:4318, got "weft:4318".',
    );
  });
});
