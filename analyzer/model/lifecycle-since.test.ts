import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../clickhouse/index.ts';
import { parseCatalog } from '../../core/catalog/index.ts';
import { openMigratedStore } from '../../test/migrated-store.ts';
import { queryLifecycleSince } from './lifecycle-since.ts';

const catalogYaml = (exportLifecycle: string, ftpLifecycle: string) => `owners: [{ id: icoe }]
systems: [{ id: crm }, { id: erp }, { id: ftp, lifecycle: ${ftpLifecycle} }]
flows:
  - { id: export, source: crm, target: erp, owner: icoe, lifecycle: ${exportLifecycle} }
`;
const catalogOf = (exportLifecycle: string, ftpLifecycle: string) =>
  parseCatalog([{ file: 'c.yaml', text: catalogYaml(exportLifecycle, ftpLifecycle) }]).catalog;

/** A whole hour `n` hours ago, as ClickHouse writes a DateTime64(3) (inside the versions' retention). */
const hourAgo = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
const hoursAgo = (n: number) => new Date(hourAgo.getTime() - n * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
const iso = (n: number) => new Date(hourAgo.getTime() - n * 3_600_000).toISOString();

/** A row of weft_catalog_versions as Weft stores one (the catalog's content as JSON). */
const version = (at: string, exportLifecycle: string, ftpLifecycle: string) => {
  const { sources: _sources, ...content } = catalogOf(exportLifecycle, ftpLifecycle);
  return { at, sha256: at, actor: 'test', reason: 'start', sources: ['c.yaml'], catalog: JSON.stringify(content), changes: '[]' };
};

describe('queryLifecycleSince (real chDB, weft_catalog_versions)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-lifecycle-'));
  let store: Store;
  beforeAll(async () => {
    store = await openMigratedStore(join(dir, 'data'), { rawDays: 2, rollupDays: 30, recordDays: 30 });
    await store.client.insert({
      table: 'weft_catalog_versions',
      values: [
        version(hoursAgo(5), 'active', 'deprecated'),
        version(hoursAgo(3), 'deprecated', 'deprecated'),
        version(hoursAgo(2), 'retired', 'deprecated'),
        version(hoursAgo(1), 'retired', 'deprecated'),
      ],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the oldest of the latest versions in a row with the current lifecycle', async () => {
    const since = await queryLifecycleSince(store, catalogOf('retired', 'deprecated'), { flows: ['export'], systems: ['ftp'] });
    expect(Object.fromEntries(since)).toEqual({ 'flow:export': iso(2), 'system:ftp': iso(5) });
  });

  it('knows none for a lifecycle the newest stored version does not give (a catalog file no Weft loaded)', async () => {
    const since = await queryLifecycleSince(store, catalogOf('deprecated', 'retired'), { flows: ['export'], systems: ['ftp'] });
    expect(Object.fromEntries(since)).toEqual({});
  });

  it('answers anew once a version is stored (the flow set active again, then retired again)', async () => {
    const ask = () => queryLifecycleSince(store, catalogOf('retired', 'deprecated'), { flows: ['export'], systems: [] });
    expect(Object.fromEntries(await ask())).toEqual({ 'flow:export': iso(2) });
    await store.client.insert({
      table: 'weft_catalog_versions',
      values: [version(hoursAgo(0.5), 'active', 'deprecated'), version(hoursAgo(0.25), 'retired', 'deprecated')],
      format: 'JSONEachRow',
    });
    expect(Object.fromEntries(await ask())).toEqual({ 'flow:export': iso(0.25) });
  });

  it('reads nothing when nothing is asked for', async () => {
    expect((await queryLifecycleSince(store, catalogOf('retired', 'deprecated'), { flows: [], systems: [] })).size).toBe(0);
  });
});
