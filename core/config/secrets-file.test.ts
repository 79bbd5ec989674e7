import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig, parseArgs } from './index.ts';
import { secretsReader } from './secrets-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secretsReader', () => {
  it('reads the environment only, by own names, when no file is set', () => {
    const read = secretsReader(undefined, { CRM_TOKEN: 'abc' });
    expect([read('CRM_TOKEN'), read('toString'), read('__proto__'), read('MISSING')]).toEqual(['abc', undefined, undefined, undefined]);
  });

  it('regression: a credential added after start is read without a restart (the file is read again when it changes)', () => {
    const file = join(dir, 'secrets.env');
    writeFileSync(file, 'CRM_TOKEN=from-file\n');
    const read = secretsReader(file, { CRM_TOKEN: 'from-env', ERP_TOKEN: 'env-only' });
    expect([read('CRM_TOKEN'), read('ERP_TOKEN'), read('NEW_PROBE_PASSWORD')]).toEqual(['from-file', 'env-only', undefined]);
    writeFileSync(file, 'CRM_TOKEN=from-file\n# a new probe\nNEW_PROBE_PASSWORD="s3cret with spaces"\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect(read('NEW_PROBE_PASSWORD')).toBe('s3cret with spaces');
    rmSync(file);
    expect([read('CRM_TOKEN'), read('NEW_PROBE_PASSWORD')]).toEqual(['from-env', undefined]);
  });

  it('stops at start with what to do when the file cannot be read', () => {
    expect(() => buildConfig(parseArgs(['start', '--secrets-file', join(dir, 'nope.env')]), {}, dir)).toThrow(/cannot read .*nope\.env \(ENOENT\); create it/);
  });
});
