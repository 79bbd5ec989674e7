import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseCatalogYaml, sendEstateTraffic } from '../../analyzer/test/estate-fixture.ts';
import { buildConfig, parseArgs } from '../../core/config/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { startWeft, type RunningWeft } from '../../runtime/start-weft.ts';
import { openFindings, waitFor } from '../../demo/e2e/weft-client.ts';
import { auditCommand } from './audit.ts';
import { startedForFile } from '../../test/started-for-file.ts';

const EXPECTED = ['undocumented-flow', 'unknown-system', 'deprecated-in-use', 'sor-violation'];

describe('weft audit --url (a running Weft)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-audit-url-'));
  let weft: RunningWeft;
  const weftOfFile = startedForFile<RunningWeft>();
  let stopped = false;
  const audit = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await auditCommand.run(parseArgs(argv), { out: (t) => out.push(t), err: () => undefined, env: {}, cwd: dir });
    return { code, out: out.join('\n') };
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'estate.yaml'), baseCatalogYaml);
    const config = buildConfig(parseArgs(['--data', dir, '--catalog', 'estate.yaml', '--port', '0', '--otlp-port', '0', '--late-arrival', '1s']), {}, dir);
    weft = await weftOfFile.open(() => startWeft(config, silentLogger()));
    await sendEstateTraffic(weft.collector!.url, Date.now());
    await weft.collector!.flush();
    // Traces are paired once their late-arrival window (1s here) has passed, however long that
    // takes on a busy machine: analyse until every expected kind is open.
    await waitFor(
      async () => {
        await weft.analyzer!.runNow();
        const kinds = new Set<string>((await openFindings(weft.api!.url)).map((f) => f.kind));
        return EXPECTED.every((k) => kinds.has(k)) ? true : undefined;
      },
      60_000,
      () => `the estate's traffic did not yield ${EXPECTED.join(', ')} within 60 s`,
      500,
    );
  });
  afterAll(async () => {
    if (!stopped) await weftOfFile.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the running Weft for the audit while it holds the embedded store', async () => {
    const r = await audit('--url', weft.api!.url, '--since', '1h', '--format', 'json', '--fail-on', 'high');
    const report = JSON.parse(r.out);
    expect(report.version).toBe(1);
    expect(report.catalog.systems).toBeGreaterThan(0);
    expect(report.findings.map((f: { kind: string }) => f.kind)).toEqual(expect.arrayContaining(EXPECTED));
    expect(r.code).toBe(report.failed ? 1 : 0);
    expect(report.failOn).toBe('high');
  });

  it('prints the same table a local audit prints', async () => {
    const r = await audit('--url', weft.api!.url, '--since', '1h');
    expect(r.out).toMatch(/unknown-system/);
  });

  it('says what to change when the address or the flags are wrong', async () => {
    await expect(audit('--url', weft.api!.url, '--catalog', 'estate.yaml')).rejects.toThrow(
      /^--url asks a running Weft, which uses its own store, catalog and pairing \(reload the catalog there with weft catalog reload\); leave out the catalog files\.$/,
    );
    await expect(audit('--url', 'http://127.0.0.1:9')).rejects.toThrow(/Weft is not answering at http:\/\/127.0.0.1:9 .*is "weft start" running there\?/);
  });

  // Known since a break test: the advice gave an example address, not the running Weft's (a user with --port 8080 was
  // told http://127.0.0.1:3000). The running Weft states its API's address beside its pid file; `weft audit --data`
  // from another process reads it.
  it('tells a command run on the directory it holds to ask it at its own address', async () => {
    const weftBin = join(import.meta.dirname, '..', '..', 'bin', 'weft.mjs');
    const stderr = await new Promise<string>((resolve) =>
      execFile(process.execPath, [weftBin, 'audit', '--data', dir, '--catalog', 'estate.yaml'], { cwd: dir }, (_err, _out, err) => resolve(err)),
    );
    expect(stderr.trim()).toBe(
      `weft audit: The data directory ${join(dir, 'data')} is held by a running Weft: ask it with --url ${weft.api!.url} (its API), or stop it first.`,
    );
    // Stated while it runs, gone once it stops.
    expect(existsSync(join(dir, 'data', 'weft.url'))).toBe(true);
    await weft.stop();
    stopped = true;
    expect(existsSync(join(dir, 'data', 'weft.url'))).toBe(false);
  });
});
