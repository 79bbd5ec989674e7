import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../core/log/logger.ts';
import { readDemoPorts } from './estate/demo-ports.ts';
import { startDemo } from './start-demo.ts';

const portOf = (url: string) => Number(new URL(url).port);

// Regression: every start of the demo listened on new random ports, which its catalog names (probe URLs, the run
// endpoint): each restart stored a catalog version with seven changes that a compliance report's catalog history
// listed, and `weft probe run --catalog <the demo's catalog>` reached nothing after a restart.
describe('demo ports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-demo-ports-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Its exporters send to a port where nothing listens: what these tests look at is where it listens.
  const start = () => startDemo({ otlpUrl: 'http://127.0.0.1:9', workDir: dir, faults: false, timeScale: 1, logger: silentLogger() });

  it('listens again on the ports it used in the same directory, and writes the same catalog', async () => {
    const first = await start();
    const catalog = readFileSync(first.catalogFile, 'utf8');
    const systems = first.systems;
    await first.stop();
    const again = await start();
    try {
      expect(again.systems).toEqual(systems);
      expect(readFileSync(again.catalogFile, 'utf8')).toBe(catalog);
    } finally {
      await again.stop();
    }
  });

  // Regression: a server moved to a new port said nothing, though the demo's catalog changed with it.
  it('takes another port for a server whose port is taken now, keeps the others, and says which moved', async () => {
    const before = readDemoPorts(dir);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(before.get('crm'), '127.0.0.1', () => r()));
    try {
      const lines: Array<{ level: number; msg: string; moved?: unknown }> = [];
      const logStream = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as (typeof lines)[number]);
          done();
        },
      });
      const demo = await startDemo({ otlpUrl: 'http://127.0.0.1:9', workDir: dir, faults: false, timeScale: 1, logger: createLogger('warn', logStream) });
      try {
        expect(portOf(demo.systems.crm)).not.toBe(before.get('crm'));
        expect(portOf(demo.systems.erp)).toBe(before.get('erp'));
        const said = lines.filter((l) => l.msg.startsWith('demo servers moved'));
        expect(said).toHaveLength(1);
        expect(said[0].msg).toContain(`crm ${before.get('crm')} → ${portOf(demo.systems.crm)}`);
        expect(said[0].moved).toEqual({ crm: { was: before.get('crm'), now: portOf(demo.systems.crm) } });
      } finally {
        await demo.stop();
      }
    } finally {
      taken.close();
    }
  });

  it('reads a ports file it cannot use as none', () => {
    const other = mkdtempSync(join(tmpdir(), 'weft-demo-ports-bad-'));
    try {
      expect(readDemoPorts(other).size).toBe(0);
      writeFileSync(join(other, 'ports.json'), '{"crm": "80", "erp": 70000, "wms": 8080, "x": 1.5');
      expect(readDemoPorts(other).size).toBe(0);
      writeFileSync(join(other, 'ports.json'), '{"crm": "80", "erp": 70000, "wms": 8080, "x": 1.5, "y": -1}');
      expect([...readDemoPorts(other)]).toEqual([['wms', 8080]]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
