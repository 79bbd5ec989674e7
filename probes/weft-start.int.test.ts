import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from '../core/config/index.ts';
import { silentLogger } from '../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../runtime/start-weft.ts';
import { serviceAvailable } from '../test/services.ts';
import { startedForFile } from '../test/started-for-file.ts';

const up = await serviceAvailable('PostgreSQL', 5432);
const dir = mkdtempSync(join(tmpdir(), 'weft-start-probes-'));
let weft: RunningWeft;
const weftOfFile = startedForFile<RunningWeft>();

beforeAll(async () => {
  if (!up) return;
  const catalog = join(dir, 'estate.yaml');
  writeFileSync(
    catalog,
    `systems:
  - { id: crm, kind: crm }
probes:
  - { id: crm-alive, kind: sql, system: crm, every: 1s, jitter: 200ms, dsn: env:CRM_DSN, query: "select 7 as n" }
`,
  );
  const args = parseArgs(['--data', join(dir, 'weft'), '--port', '0', '--otlp-port', '0', '--catalog', catalog]);
  weft = await weftOfFile.open(() => startWeft(buildConfig(args, { CRM_DSN: 'postgres://postgres@127.0.0.1:5432/test' }, dir), silentLogger()));
});

afterAll(async () => {
  await weftOfFile.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!up)('weft start with probes in the catalog', () => {
  it('schedules them and serves their health in the API', async () => {
    expect(weft.probes).toBeDefined();
    let body: { probes: Array<{ id: string; healthy: boolean | null; latest: { value: number } | null }> } = { probes: [] };
    for (let i = 0; i < 100 && !body.probes[0]?.healthy; i++) {
      body = (await fetch(`${weft.api!.url}/api/v1/probes`).then((r) => r.json())) as typeof body;
      if (!body.probes[0]?.healthy) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body.probes).toEqual([expect.objectContaining({ id: 'crm-alive', healthy: true, latest: expect.objectContaining({ value: 7 }) })]);
  });
});
