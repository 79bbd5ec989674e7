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

  // Regression: Node's dotenv reader read `CRM_USER: weft` and the next line as one variable named "CRM_USER: weft\nCRM_TOKEN",
  // so CRM_TOKEN was "not set" although the file held it; and `ERP_PASSWORD=p#ss` as "p". Neither said a word.
  it('refuses, by line and variable name and never the value, what it would read other than meant', () => {
    const file = join(dir, 'bad.env');
    writeFileSync(
      file,
      '# credentials\nCRM_USER: weft\nCRM_TOKEN=abc\nERP_PASSWORD=p#ss-secret\nSHOP_KEY=k1 # the shop\nexport MQ_URL="amqp://u:p#w@mq"\nCRM-X=1\n',
    );
    let message = '';
    try {
      secretsReader(file, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `WEFT_SECRETS_FILE / --secrets-file ${file}: line 2 is not NAME=value (names are letters, digits and _; comments start the line with #); ` +
        'line 4: the value of ERP_PASSWORD holds a # that would cut it there (unquoted, # starts a comment): quote the value, ERP_PASSWORD="…"; ' +
        'line 7 is not NAME=value (names are letters, digits and _; comments start the line with #).',
    );
    expect(message).not.toMatch(/ss-secret|abc|u:p/);
  });

  it('refuses a name given twice, and a WEFT_* name, which it would never read', () => {
    const file = join(dir, 'twice.env');
    writeFileSync(file, 'CRM_TOKEN=one\nWEFT_API_TOKENS=abcdefghijklmnop:admin\nCRM_TOKEN=two\n');
    expect(() => secretsReader(file, {})).toThrow(
      `WEFT_SECRETS_FILE / --secrets-file ${file}: line 2: WEFT_API_TOKENS is one of Weft's own settings, which are read from its environment, never from this file: set it there; line 3 gives CRM_TOKEN again (first on line 1): give each name once.`,
    );
  });

  it('reads quoted values over several lines, comments after a space, export, and CRLF line ends', () => {
    const file = join(dir, 'good.env');
    writeFileSync(file, 'export A=1\r\nB="two # not a comment"\r\nC=3 # a comment\r\nKEY="-----BEGIN\nline\n-----END"\r\nD=\r\n');
    const read = secretsReader(file, {});
    expect([read('A'), read('B'), read('C'), read('KEY'), read('D')]).toEqual(['1', 'two # not a comment', '3', '-----BEGIN\nline\n-----END', '']);
    writeFileSync(file, 'A="unclosed\n');
    expect(() => secretsReader(file, {})).toThrow(/a quoted value is not closed by the end of the file: close its "/);
  });

  it('stops handing out values while a changed file holds such a line, and reads it again once mended', () => {
    const file = join(dir, 'changing.env');
    writeFileSync(file, 'CRM_TOKEN=one\n');
    const read = secretsReader(file, { CRM_TOKEN: 'from-env' });
    expect(read('CRM_TOKEN')).toBe('one');
    writeFileSync(file, 'CRM_TOKEN=one\nERP_PASSWORD=a#b\n');
    utimesSync(file, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(() => read('CRM_TOKEN')).toThrow(/line 2: the value of ERP_PASSWORD holds a #/);
    writeFileSync(file, 'CRM_TOKEN=two\nERP_PASSWORD="a#b"\n');
    utimesSync(file, new Date(Date.now() + 9000), new Date(Date.now() + 9000));
    expect([read('CRM_TOKEN'), read('ERP_PASSWORD')]).toEqual(['two', 'a#b']);
  });
});
