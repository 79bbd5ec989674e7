import { describe, expect, it } from 'vitest';
import { allowedHosts, crossSiteOrigin, hostProblem } from './request-origin.ts';

describe('Host and Origin checks', () => {
  const local = allowedHosts('127.0.0.1', []);

  it('answers loopback names and the bound address on any port (a port mapping or an SSH tunnel changes the port a client writes)', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'LOCALHOST:3000', 'localhost.:3000', '127.9.9.9:3000']) {
      expect(hostProblem(host, local, 3000), host).toBeUndefined();
    }
    // docker run -p 8080:3000; ssh -L 9000:localhost:3000; a client that leaves out the port.
    expect(hostProblem('localhost:8080', local, 3000)).toBeUndefined();
    expect(hostProblem('127.0.0.1:9000', local, 3000)).toBeUndefined();
    expect(hostProblem('localhost', local, 3000)).toBeUndefined();
    expect(hostProblem('localhost', local, 80)).toBeUndefined();
    expect(hostProblem('localhost:80', local, 80)).toBeUndefined();
    // Without a socket (inject) the port is not compared; the name still is.
    expect(hostProblem('localhost:80', local)).toBeUndefined();
    expect(hostProblem('127.0.0.1.evil.example:80', local)).toMatch(/WEFT_PUBLIC_NAMES/);
    expect(hostProblem(undefined, local, 3000)).toMatch(/no Host header; .*Host: 127\.0\.0\.1:3000/);
    expect(hostProblem('127.0.0.1:3000.evil.example', local, 3000)).toMatch(/not a host name with an optional port/);
    const bound = allowedHosts('10.1.2.3', []);
    expect(hostProblem('10.1.2.3:3000', bound, 3000)).toBeUndefined();
    expect(hostProblem('[::1]:3000', allowedHosts('::1', []), 3000)).toBeUndefined();
    expect(allowedHosts('0.0.0.0', []).local).toEqual(new Set(['localhost', '127.0.0.1', '[::1]']));
  });

  it('answers a public name on any port, or on the ports it was configured with', () => {
    const allowed = allowedHosts('0.0.0.0', ['weft.internal', 'Proxy.Example:8443', 'proxy.example:9443', 'localhost:5173']);
    expect(hostProblem('weft.internal', allowed, 3000)).toBeUndefined();
    expect(hostProblem('weft.internal:443', allowed, 3000)).toBeUndefined();
    expect(hostProblem('weft.internal.:3000', allowed, 3000)).toBeUndefined();
    expect(hostProblem('proxy.example:8443', allowed, 3000)).toBeUndefined();
    expect(hostProblem('proxy.example:9443', allowed, 3000)).toBeUndefined();
    expect(hostProblem('proxy.example', allowed, 3000)).toMatch(/^proxy\.example is answered on port 8443 or 9443 here, not 80/);
    // A loopback name with the port of a proxy in front (a dev server) when that name and port are configured.
    expect(hostProblem('localhost:5173', allowed, 3000)).toBeUndefined();
    expect(hostProblem('localhost:5174', allowed, 3000)).toBeUndefined();
    expect(hostProblem('proxy.example:8444', allowed, 3000)).toMatch(
      /^proxy\.example is answered on port 8443 or 9443 here, not 8444: send that port, or add "proxy\.example:8444" \(or "proxy\.example" for any port\)/,
    );
    expect(hostProblem('weft.internal.evil.example', allowed, 3000)).toMatch(/WEFT_PUBLIC_NAMES/);
  });

  it('tells a cross-site Origin from the same origin by parsed host and port', () => {
    const pub = allowedHosts('0.0.0.0', ['weft.internal', 'localhost:5173', 'tls.example:443']).public;
    const same = (origin: string, host: string) => crossSiteOrigin({ origin, host }, new Map()) === undefined;
    expect(same('http://localhost:3000', 'localhost:3000')).toBe(true);
    expect(same('http://LOCALHOST:3000', 'localhost.:3000')).toBe(true);
    expect(same('http://localhost', 'localhost:80')).toBe(true);
    expect(same('https://weft.example', 'weft.example')).toBe(true);
    expect(same('http://localhost:8080', 'localhost:3000')).toBe(false);
    expect(same('http://127.0.0.1:3000.evil.example', '127.0.0.1:3000')).toBe(false);
    expect(same('http://localhost:3000', '127.0.0.1:3000')).toBe(false);
    expect(same('file:///x', 'localhost:3000')).toBe(false);
    expect(crossSiteOrigin({ origin: 'https://weft.internal:8443', host: '127.0.0.1:3000' }, pub)).toBeUndefined();
    expect(crossSiteOrigin({ origin: 'https://weft.internal.evil.example', host: 'weft.internal' }, pub)).toBe('https://weft.internal.evil.example');
    // A public name given with a port counts on that port only: another site on localhost is another origin.
    expect(crossSiteOrigin({ origin: 'http://localhost:5173', host: '127.0.0.1:3000' }, pub)).toBeUndefined();
    expect(crossSiteOrigin({ origin: 'http://localhost:8080', host: '127.0.0.1:3000' }, pub)).toBe('http://localhost:8080');
    expect(crossSiteOrigin({ origin: 'https://tls.example', host: '127.0.0.1:3000' }, pub)).toBeUndefined();
    expect(crossSiteOrigin({ origin: 'http://tls.example', host: '127.0.0.1:3000' }, pub)).toBe('http://tls.example');
  });
});
