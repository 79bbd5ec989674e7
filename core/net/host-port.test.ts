import { describe, expect, it } from 'vitest';
import { canonicalHost, clientUrlHost, hostMatches, isLoopback, splitHostPort } from './host-port.ts';

describe('endpoint hosts', () => {
  it('spells hosts as the view does: lower case, IPv6 in brackets, default ports left out', () => {
    expect(canonicalHost('Crm.Example.COM.', '443', 'https')).toBe('crm.example.com');
    expect(canonicalHost('127.0.0.1', 18081, 'http')).toBe('127.0.0.1:18081');
    expect(canonicalHost('::1', '5432', 'postgresql')).toBe('[::1]');
    expect(canonicalHost('::1', '5433', 'postgresql')).toBe('[::1]:5433');
    expect(canonicalHost('/var/run/postgresql', '5432', 'postgresql')).toBe('/var/run/postgresql');
  });

  it('splits host:port, [v6]:port and bare IPv6', () => {
    expect(splitHostPort('[::1]:8080')).toEqual({ host: '::1', port: '8080' });
    expect(splitHostPort('::1')).toEqual({ host: '::1', port: '' });
    expect(splitHostPort('erp-api:8443')).toEqual({ host: 'erp-api', port: '8443' });
  });

  it('treats loopback spellings as one host; socket paths only where asked', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'loopback', '::ffff:127.0.0.1'].every((h) => isLoopback(h))).toBe(true);
    expect(isLoopback('/var/run/postgresql')).toBe(false);
    expect(isLoopback('/var/run/postgresql', true)).toBe(true);
    expect(hostMatches({ host: 'localhost', port: '' }, { host: '/var/run/postgresql', port: '' }, 'postgresql', true)).toBe(true);
    expect(hostMatches({ host: 'localhost', port: '5433' }, { host: '127.0.0.1', port: '' }, 'postgresql', true)).toBe(false);
  });

  it('writes a listening host as a URL authority a local client reaches: wildcards on loopback, IPv6 in brackets', () => {
    expect(['0.0.0.0', '::', '[::]'].map(clientUrlHost)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(['::1', '[::1]', 'fe80::1', '127.0.0.1', 'weft.internal'].map(clientUrlHost)).toEqual(['[::1]', '[::1]', '[fe80::1]', '127.0.0.1', 'weft.internal']);
  });
});
