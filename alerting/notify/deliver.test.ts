import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { silentLogger } from '../../core/log/logger.ts';
import { Secrets } from '../../probes/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { AlertStore } from '../store/alert-store.ts';
import { deliver } from './deliver.ts';
import { firstNotification } from '../testing/fixtures.ts';

const note = firstNotification;

/** A real receiver that answers 200, but only after 1.5 s; a real store recording the attempts. */
describe('deliver to a slow receiver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alerting-deliver-'));
  let store: Store;
  let alertStore: AlertStore;
  let http: Server;
  let url = '';
  const arrived: string[] = [];

  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 3650, rollupDays: 3650, recordDays: 3650 });
    alertStore = new AlertStore(store);
    http = createServer((req, res) => {
      arrived.push(req.url ?? '');
      req.resume();
      setTimeout(() => res.end('{}'), 1500);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    http?.closeAllConnections();
    await new Promise((r) => http?.close(() => r(undefined)));
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = () => {
    const { catalog, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `
receivers:
  - { id: slow-hook, type: webhook, url: "${url}/default" }
  - { id: patient-hook, type: webhook, url: "${url}/patient", timeout: 3s }
  - { id: patient-am, type: alertmanager, url: "${url}/am", timeout: 3s }
`,
      },
    ]);
    if (problems.length) throw new Error(JSON.stringify(problems));
    return {
      catalog,
      alertStore,
      secrets: new Secrets(() => undefined),
      logger: silentLogger(),
      externalUrl: 'http://weft.test',
      retryBaseMs: 10,
      timeoutMs: 500,
    };
  };

  it("regression: a receiver's own timeout lets a slow answer count, so the notification is sent once (webhook and Alertmanager)", async () => {
    expect(await deliver(note('patient-hook'), options())).toBe(true);
    expect(await deliver(note('patient-am'), options())).toBe(true);
    expect(arrived.filter((p) => p === '/patient')).toHaveLength(1);
    expect(arrived.filter((p) => p === '/am/api/v2/alerts')).toHaveLength(1);
  }, 20_000);

  it('records an attempt that timed out as possibly delivered, and tries 3 times in all (the first and 2 retries)', async () => {
    expect(await deliver(note('slow-hook'), options())).toBe(false);
    expect(arrived.filter((p) => p === '/default')).toHaveLength(3);
    const records = (await alertStore.deliveries()).filter((d) => d.receiver === 'slow-hook');
    expect(records.map((d) => d.attempt).sort()).toEqual([1, 2, 3]);
    for (const d of records) expect(d.error).toBe("no answer within 500 ms: it may have been delivered (the receiver's timeout, default 10s)");
  }, 20_000);
});

describe('receiver timeout in the catalog', () => {
  it('is refused out of 1s to 5m', () => {
    const { problems } = parseCatalog([
      { file: 'estate.yaml', text: 'receivers:\n  - { id: h, type: webhook, url: "https://hooks.example/x", timeout: 10m }\n' },
    ]);
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['receivers[0].timeout: timeout 10m is out of range: give 1s to 5m']);
  });
});
