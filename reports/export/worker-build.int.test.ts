import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseCatalogYaml, catalogFrom } from '../../analyzer/test/estate-fixture.ts';
import { startHarness, type Harness } from '../../collector/test/harness.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { loadOrCreateSigningKey } from '../bundle/signing-key.ts';
import { verifyBundle } from '../bundle/verify.ts';
import { createReportService } from '../service.ts';
import { clickhouseReportSource } from '../source/clickhouse-source.ts';
import { readReportData, readStoredReportData, type ReportSource } from '../source/report-source.ts';
import { runBuildJob, type BuildJob } from './build-job.ts';
import { buildInWorker } from './worker-build.ts';

describe('a report built in a worker thread', () => {
  let h: Harness;
  const catalog = catalogFrom(baseCatalogYaml);
  const period = () => ({ since: new Date(Date.now() - 3_600_000).toISOString(), until: new Date().toISOString() });

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('is byte for byte the bundle built on the event loop, and verifies', async () => {
    const p = period();
    // The worker is given the data as stored (the alert rules not derived yet: it derives them), the loop all of it.
    const stored = await readStoredReportData(clickhouseReportSource(h.store), p, { fallbackCatalog: catalog });
    expect(stored.alertRules.recorded).toBe(false);
    const data = await readReportData(clickhouseReportSource(h.store), p, { fallbackCatalog: catalog });
    const key = loadOrCreateSigningKey(mkdtempSync(join(tmpdir(), 'reports-worker-key-')));
    const meta = { id: '00000000-0000-4000-8000-0000000000aa', requestedBy: 'auditor-carol', now: new Date() };
    const job: BuildJob = { data, meta, key };
    const [inWorker, onLoop] = await Promise.all([buildInWorker({ ...job, data: stored }), runBuildJob(job)]);
    expect(Buffer.from(inWorker.zip).equals(Buffer.from(onLoop.zip))).toBe(true);
    expect(inWorker.manifestSha256).toBe(onLoop.manifestSha256);
    const check = verifyBundle(inWorker.zip, { expectedPublicKeyPem: key.publicKeyPem });
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
  }, 120_000);

  it("builds the next report in the worker the last one used, from that report's data alone", async () => {
    const key = loadOrCreateSigningKey(mkdtempSync(join(tmpdir(), 'reports-worker-reuse-key-')));
    const threads: number[] = [];
    const { Worker } = await import('node:worker_threads');
    const postMessage = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: InstanceType<typeof Worker>, ...args: Parameters<typeof postMessage>) {
      if (!threads.includes(this.threadId)) threads.push(this.threadId);
      return postMessage.apply(this, args);
    };
    try {
      // Two periods, two requesters: what the second bundle holds must be its own, not the first's left in the worker.
      for (const [i, requestedBy] of ['auditor-erin', 'auditor-frank'].entries()) {
        const p = { since: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(), until: new Date().toISOString() };
        const stored = await readStoredReportData(clickhouseReportSource(h.store), p, { fallbackCatalog: catalog });
        const data = await readReportData(clickhouseReportSource(h.store), p, { fallbackCatalog: catalog });
        const meta = { id: `00000000-0000-4000-8000-00000000000${i}`, requestedBy, now: new Date() };
        const inWorker = await buildInWorker({ data: stored, meta, key });
        const onLoop = await runBuildJob({ data, meta, key });
        expect(Buffer.from(inWorker.zip).equals(Buffer.from(onLoop.zip)), requestedBy).toBe(true);
      }
    } finally {
      Worker.prototype.postMessage = postMessage;
    }
    expect(threads).toHaveLength(1);
  }, 120_000);

  it('fails with what went wrong, records the run failed, and gives its export place back', async () => {
    const good = clickhouseReportSource(h.store);
    let broken = true;
    // The estate as a source that changed shape would give it: assembly throws inside the worker.
    const source: ReportSource = {
      ...good,
      estate: (c, p) => (broken ? Promise.resolve({ inventory: null as never, edges: [] }) : good.estate(c, p)),
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'reports-worker-fail-'));
    const service = createReportService({
      store: h.store,
      dataDir,
      logger: silentLogger(),
      source,
      currentCatalog: () => catalog,
      exports: { concurrency: 1, queue: 0 },
    });
    await expect(service.generate({ period: period(), actor: 'auditor-carol', trigger: 'api' })).rejects.toThrow(
      /^The report could not be assembled: TypeError: Cannot read properties of null .*Nothing was written; the run is recorded as failed\.$/,
    );
    const failed = (await service.list()).find((r) => r.actor === 'auditor-carol');
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The report could not be assembled: TypeError/) });
    // The place is free again: with one place and no queue, a request is taken, not refused, and its report is written.
    broken = false;
    const run = await service.start({ period: period(), actor: 'auditor-dan', trigger: 'api' });
    await service.idle();
    const done = await service.get(run.id);
    expect(done.status).toBe('done');
  }, 120_000);
});
