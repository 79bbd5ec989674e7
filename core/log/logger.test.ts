import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('never writes an authorization header or a token field', () => {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    log.info({ req: { headers: { authorization: 'Bearer s3cret-token-value' } }, token: 'weft_admin_x' }, 'request');
    log.child({ part: 'api' }).warn({ headers: { authorization: 'Bearer s3cret-token-value' } }, 'odd');
    const text = lines.join('');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('weft_admin_x');
    expect(text).toContain('[redacted]');
  });
});
