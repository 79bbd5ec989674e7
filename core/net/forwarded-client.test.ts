import { describe, expect, it } from 'vitest';
import { addressOf, parseTrustedProxies, TrustedProxies } from './forwarded-client.ts';

describe('addressOf', () => {
  it('reads an address alone, bracketed, with a port, with a zone, and an IPv4-mapped one as IPv4', () => {
    expect(addressOf(' 192.0.2.7 ')).toBe('192.0.2.7');
    expect(addressOf('192.0.2.7:4711')).toBe('192.0.2.7');
    expect(addressOf('2001:DB8::1')).toBe('2001:db8::1');
    expect(addressOf('[2001:db8::1]')).toBe('2001:db8::1');
    expect(addressOf('[2001:db8::1]:4711')).toBe('2001:db8::1');
    expect(addressOf('fe80::1%eth0')).toBe('fe80::1');
    expect(addressOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressOf('[::FFFF:192.0.2.7]:80')).toBe('192.0.2.7');
  });

  // Regression: `::ffff:7f00:1` (the hex spelling of `::ffff:127.0.0.1`) was read as an IPv6 address of its own, so a
  // client named both ways by its proxies was counted twice by the failed-credential limit, and every hex-mapped client
  // shared one IPv6 /64 count (`0:0:0:0::/64`) with `::1`.
  it('regression: gives every spelling of one address one key (IPv4-mapped in hex, upper case, zeros written out, leading zeros, zones)', () => {
    const spellings: [string, string[]][] = [
      [
        '127.0.0.1',
        [
          '127.0.0.1',
          '::ffff:127.0.0.1',
          '::ffff:7f00:1',
          '::FFFF:7F00:1',
          '[::FFFF:7F00:1]:443',
          '0:0:0:0:0:ffff:7f00:1',
          '0000:0000:0000:0000:0000:FFFF:7F00:0001',
          '::ffff:7f00:0001',
          '[::ffff:7f00:1%eth0]:80',
          '::ffff:7f00:1%25eth0',
          '0:0:0:0:0:ffff:127.0.0.1',
        ],
      ],
      ['192.168.1.1', ['::ffff:c0a8:0101', '::ffff:c0a8:101', '::ffff:C0A8:101', '[::ffff:192.168.1.1]', '192.168.1.1:8080']],
      ['2001:db8::1', ['2001:db8::1', '2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0::1', '[2001:db8::0:1]:4711', '2001:db8::1%eth0']],
      ['fe80::1', ['fe80::1%eth0', 'FE80::0001%25eth1', '[fe80:0:0:0:0:0:0:1%eth0]:443']],
      ['::1', ['::1', '0:0:0:0:0:0:0:1', '[0000::0001]:80']],
      // IPv4-compatible (deprecated): an IPv6 address of its own, one key for both spellings, never the IPv4 address.
      ['::127.0.0.1', ['::7f00:1', '::127.0.0.1', '0:0:0:0:0:0:7f00:1']],
      // Not IPv4-mapped (IPv4-translated, ::ffff:0:0:0/96): IPv6.
      ['::ffff:0:7f00:1', ['::ffff:0:7f00:1', '0:0:0:0:ffff:0:7f00:1']],
    ];
    for (const [key, texts] of spellings) for (const text of texts) expect(addressOf(text), text).toBe(key);
  });

  it('is undefined for what is not an address', () => {
    for (const text of [
      '',
      'unknown',
      '_hidden',
      'proxy.example',
      '192.0.2.7:',
      '192.0.2.7:http',
      '192.0.2.256',
      '[2001:db8::1',
      '[2001:db8::1]x',
      '1.2.3.4.5',
      '999999',
      // An IPv4 octet with a leading zero: octal to inet_aton, decimal to others.
      '127.0.0.01',
      '010.0.0.1',
      '::ffff:127.0.0.01',
      '1::2::3',
      '[::ffff:7f00:1]:http',
    ])
      expect(addressOf(text), text).toBeUndefined();
  });
});

describe('parseTrustedProxies', () => {
  it('takes addresses and CIDR ranges of both families', () => {
    expect(parseTrustedProxies([' 127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '::ffff:10.1.2.3'])).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '::ffff:10.1.2.3',
    ]);
  });

  it('refuses, naming the item, what is not an address or a range, a prefix out of range, and a range of every address', () => {
    expect(() => parseTrustedProxies(['proxy.example'])).toThrow(/^"proxy\.example" is not an IP address or a CIDR range$/);
    expect(() => parseTrustedProxies(['10.0.0.1:80'])).toThrow(/is not an IP address/);
    expect(() => parseTrustedProxies(['[::1]'])).toThrow(/is not an IP address/);
    expect(() => parseTrustedProxies(['10.0.0.0/33'])).toThrow(/^"10\.0\.0\.0\/33" has a prefix length that is not 0 to 32$/);
    expect(() => parseTrustedProxies(['fd00::/129'])).toThrow(/not 0 to 128/);
    expect(() => parseTrustedProxies(['10.0.0.0/'])).toThrow(/prefix length/);
    expect(() => parseTrustedProxies(['10.0.0.0/-1'])).toThrow(/prefix length/);
    expect(() => parseTrustedProxies(['0.0.0.0/0'])).toThrow(/trusts every address/);
    expect(() => parseTrustedProxies(['::/0'])).toThrow(/trusts every address/);
  });

  // Regression: `::ffff:0:0/96` started, and every IPv4 peer was then a trusted proxy (an IPv4 peer is matched as its
  // IPv4-mapped address): 40 wrong tokens with a new X-Forwarded-For each got 401 and never 429. So did two halves.
  it('refuses a range that holds every IPv4 address as IPv4-mapped, and one wider than a proxy network', () => {
    for (const item of ['::ffff:0:0/96', '::ffff:0.0.0.0/96', '::ffff:a00:0/96']) expect(() => parseTrustedProxies([item])).toThrow(/trusts every address/);
    for (const item of ['::/1', '::/80', '::ffff:0:0/95', '0::/64'])
      expect(() => parseTrustedProxies([item])).toThrow(/holds every IPv4 address \(as ::ffff:0:0\/96, IPv4-mapped\)/);
    for (const item of ['0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/7', '::ffff:0:0/97', '::ffff:10.0.0.0/103', '2000::/3'])
      expect(() => parseTrustedProxies([item])).toThrow(/is wider than a proxy's network/);
    expect(() => parseTrustedProxies(['10.0.0.0/008'])).toThrow(/prefix length/);
    expect(() => parseTrustedProxies(['::ffff:0.0.0.0/100'])).toThrow(/wider than a proxy's network \(\/8 at most for IPv4\)/);
    expect(parseTrustedProxies(['10.0.0.0/8', 'fc00::/7', '::ffff:10.0.0.0/104', '::ffff:a00:0/104'])).toHaveLength(4);
  });

  it('matches an IPv4-mapped range written either way as the IPv4 range it maps', () => {
    for (const item of ['::ffff:10.0.0.0/104', '::ffff:a00:0/104']) {
      const proxies = new TrustedProxies([item]);
      expect([proxies.trusts('10.1.2.3'), proxies.trusts('11.0.0.1'), proxies.trusts('::1')]).toEqual([true, false, false]);
    }
  });
});

describe('TrustedProxies.clientOf', () => {
  const none = new TrustedProxies([]);
  const local = new TrustedProxies(['127.0.0.1', '::1']);
  const chain = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);

  it('regression: without trusted proxies the connection is the client, whatever X-Forwarded-For or Forwarded say (a loopback peer chose the address it was counted as)', () => {
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '192.0.2.1']) {
      expect(none.clientOf(peer, { 'x-forwarded-for': '203.0.113.9' })).toBe(peer.replace('::ffff:', ''));
      expect(none.clientOf(peer, { forwarded: 'for=203.0.113.9' })).toBe(peer.replace('::ffff:', ''));
    }
  });

  it('reads a trusted peer’s X-Forwarded-For from the right, skipping trusted hops; an untrusted peer’s not at all', () => {
    expect(local.clientOf('127.0.0.1', { 'x-forwarded-for': '203.0.113.1, 198.51.100.2' })).toBe('198.51.100.2');
    expect(local.clientOf('::ffff:127.0.0.1', { 'x-forwarded-for': '198.51.100.2' })).toBe('198.51.100.2');
    expect(local.clientOf('::1', { 'x-forwarded-for': '2001:db8::7' })).toBe('2001:db8::7');
    expect(local.clientOf('192.0.2.1', { 'x-forwarded-for': '198.51.100.2' })).toBe('192.0.2.1');
    // Two proxies: the outer one (10.1.2.3) is trusted too, so the client is what it recorded.
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.2, 10.1.2.3' })).toBe('198.51.100.2');
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': '198.51.100.2, [fd00::5]:443, 10.1.2.3:80' })).toBe('198.51.100.2');
    // Every hop trusted: the leftmost.
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': '10.9.9.9, 10.1.2.3' })).toBe('10.9.9.9');
    // No header: the proxy itself.
    expect(chain.clientOf('127.0.0.1', {})).toBe('127.0.0.1');
    // Header lines given twice are one list (as Node joins them).
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.2'] })).toBe('198.51.100.2');
  });

  it('reads RFC 7239 Forwarded when there is no X-Forwarded-For: quoted, bracketed and ported values, other parameters, commas in quotes', () => {
    expect(local.clientOf('127.0.0.1', { forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' })).toBe('192.0.2.60');
    expect(local.clientOf('127.0.0.1', { forwarded: 'for=192.0.2.43, for="[2001:db8:cafe::17]:4711"' })).toBe('2001:db8:cafe::17');
    expect(local.clientOf('127.0.0.1', { forwarded: 'For="198.51.100.17:80";by="x,y", proto=https;for=198.51.100.18' })).toBe('198.51.100.18');
    expect(chain.clientOf('127.0.0.1', { forwarded: 'for=198.51.100.2, for=10.1.2.3' })).toBe('198.51.100.2');
    expect(local.clientOf('127.0.0.1', { forwarded: 'for="[::ffff:198.51.100.2]"' })).toBe('198.51.100.2');
    // X-Forwarded-For wins when both are sent (what almost every proxy writes; the other is the client's own).
    expect(local.clientOf('127.0.0.1', { forwarded: 'for=203.0.113.1', 'x-forwarded-for': '198.51.100.2' })).toBe('198.51.100.2');
  });

  it('regression: reads an IPv4-mapped hop written in hex as its IPv4 address, for the client and for whether the hop is trusted', () => {
    for (const hop of ['::ffff:c633:6402', '[::FFFF:C633:6402]:443', '0:0:0:0:0:ffff:c633:6402'])
      expect(local.clientOf('127.0.0.1', { 'x-forwarded-for': hop }), hop).toBe('198.51.100.2');
    expect(local.clientOf('127.0.0.1', { forwarded: 'for="[::ffff:c633:6402]:443"' })).toBe('198.51.100.2');
    // A trusted hop (10.1.2.3) written in hex is skipped like the dotted one.
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': '198.51.100.2, ::ffff:a01:203' })).toBe('198.51.100.2');
    // The peer as Node gives it (socket.remoteAddress): dual-stack IPv4, a zone, and the hex spelling.
    for (const peer of ['::ffff:127.0.0.1', '::ffff:7f00:1', '127.0.0.1'])
      expect(local.clientOf(peer, { 'x-forwarded-for': '198.51.100.2' }), peer).toBe('198.51.100.2');
    expect(none.clientOf('fe80::0001%eth0', {})).toBe('fe80::1');
    expect(none.clientOf('::FFFF:7F00:1', {})).toBe('127.0.0.1');
  });

  it('ends at an entry that is not an address: the trusted hop that wrote it is the client, not what lies to its left', () => {
    const malformed: [string, string][] = [
      ['x-forwarded-for', '198.51.100.2, unknown'],
      ['x-forwarded-for', '198.51.100.2, '],
      ['x-forwarded-for', '198.51.100.2,,'],
      ['x-forwarded-for', '198.51.100.2, <script>'],
      ['x-forwarded-for', '198.51.100.2, 999.1.1.1'],
      ['x-forwarded-for', '198.51.100.2, [2001:db8::1'],
      ['x-forwarded-for', ''],
      ['forwarded', 'for=198.51.100.2, for=unknown'],
      ['forwarded', 'for=198.51.100.2, for=_hidden'],
      ['forwarded', 'for=198.51.100.2, proto=https'],
      ['forwarded', 'for=198.51.100.2, for="198.51.100.3'],
      ['forwarded', 'for=198.51.100.2, ;;;=='],
      ['forwarded', ''],
    ];
    for (const [name, value] of malformed) expect(chain.clientOf('127.0.0.1', { [name]: value }), `${name}: ${value}`).toBe('127.0.0.1');
    // After a trusted hop, the malformed entry's writer is that hop.
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': '198.51.100.2, garbage, 10.1.2.3' })).toBe('10.1.2.3');
  });

  it('reads at most 32 hops of a long list of trusted ones, in time linear in the header', () => {
    const long = Array.from({ length: 5000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(', ');
    expect(chain.clientOf('127.0.0.1', { 'x-forwarded-for': `198.51.100.2, ${long}` })).toBe('10.0.19.104');
    const quotes = `for="${'\\"'.repeat(20_000)}`;
    const started = performance.now();
    expect(chain.clientOf('127.0.0.1', { forwarded: quotes })).toBe('127.0.0.1');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('gives a peer that is not an address as it is (a socket without one: fastify inject)', () => {
    expect(chain.clientOf('', { 'x-forwarded-for': '198.51.100.2' })).toBe('');
  });
});
