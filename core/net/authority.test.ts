import { describe, expect, it } from 'vitest';
import { parseAuthority } from './authority.ts';

describe('parseAuthority', () => {
  it('reads host and port as a browser writes them', () => {
    expect(parseAuthority('127.0.0.1:3000')).toEqual({ host: '127.0.0.1', port: '3000', portGiven: true });
    expect(parseAuthority('LOCALHOST:3000')).toEqual({ host: 'localhost', port: '3000', portGiven: true });
    expect(parseAuthority('[::1]:3000')).toEqual({ host: '[::1]', port: '3000', portGiven: true });
    expect(parseAuthority('[0:0:0:0:0:0:0:1]')).toEqual({ host: '[::1]', port: '', portGiven: false });
    // A fully qualified name's trailing dot names the same host.
    expect(parseAuthority('localhost.:3000')).toEqual({ host: 'localhost', port: '3000', portGiven: true });
    // HTTP's default port is no port, but was written.
    expect(parseAuthority('weft.internal:80')).toEqual({ host: 'weft.internal', port: '', portGiven: true });
    expect(parseAuthority('weft.internal')).toEqual({ host: 'weft.internal', port: '', portGiven: false });
    expect(parseAuthority('127.0.0.1.evil.example:3000')).toEqual({ host: '127.0.0.1.evil.example', port: '3000', portGiven: true });
  });

  // regression: `127.0.0.1:3000.evil.com` was read as the host 127.0.0.1
  it('refuses anything that is not host[:port]', () => {
    for (const value of [
      '127.0.0.1:3000.evil.example',
      '127.0.0.1:3000@evil.example',
      'evil.example@127.0.0.1:3000',
      'localhost:3000:80',
      'localhost:',
      '::1:3000',
      '[::1]x:3000',
      'localhost:65536',
      'localhost:-1',
      'localhost:+3000',
      'localhost:3000/x',
      'localhost:3000?x',
      'localhost:3000#x',
      'local host:3000',
      '%6cocalhost:3000',
      '.:3000',
      '',
    ]) {
      expect(parseAuthority(value), value).toBeUndefined();
    }
  });
});
