import { describe, expect, it } from 'vitest';
import { envRefRefusal } from './env-refs.ts';

describe('envRefRefusal: a catalog’s env:NAME against the operator’s allow- and deny-lists', () => {
  // Regression: the lists' globs were compiled to `^A.*B.*C$`, which took the name's length to the power of the
  // pattern's stars: a catalog naming a 60,000-character variable against `*A*A*A*A*A*C` never finished loading.
  it('answers a long crafted name against a pattern of many wildcards', () => {
    const long = `${'A'.repeat(60_000)}B`;
    expect(envRefRefusal(long, { allow: [], deny: ['*A*A*A*A*A*C'] })).toBeUndefined();
    expect(envRefRefusal(long, { allow: [], deny: ['*A*A*A*A*A*B'] })).toContain('in the deny-list');
    expect(envRefRefusal(long, { allow: ['*A*A*A*A*A*C'], deny: [] })).toContain('not in the allow-list');
    // The name is shown cut, not echoed whole into a 60,000-character line.
    expect(envRefRefusal(long, { allow: ['CRM_*'], deny: [] })).toBe(
      `env:${'A'.repeat(100)}… is not in the allow-list of variables a catalog may read (WEFT_CATALOG_ENV_ALLOW=CRM_*)`,
    );
  });

  it('reads a pattern’s other characters as themselves, the deny-list in any letter case, the allow-list exactly', () => {
    const policy = { allow: ['CRM_*', 'ERP.TOKEN', 'A+B*'], deny: ['crm_secret*'] };
    expect(envRefRefusal('CRM_URL', policy)).toBeUndefined();
    expect(envRefRefusal('crm_url', policy)).toContain('not in the allow-list');
    expect(envRefRefusal('CRM_SECRET_KEY', policy)).toContain('"crm_secret*" in the deny-list');
    expect(envRefRefusal('ERPXTOKEN', policy)).toContain('not in the allow-list');
    expect(envRefRefusal('AAB', policy)).toContain('not in the allow-list');
    expect(envRefRefusal('weft_api_token')).toContain("Weft's own settings");
    expect(envRefRefusal('WEFT_')).toContain("Weft's own settings");
    expect(envRefRefusal('WEF')).toBeUndefined();
  });
});
