import { describe, expect, it } from 'vitest';
import { loopbackAddress, urlHost } from '../src/ui/loopback.js';

describe('svc ui --host: loopback addresses only', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.1.2.3', '127.1.2.3'],
    ['localhost', '127.0.0.1'],
    ['LOCALHOST', '127.0.0.1'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
  ])('%s is served on %s', (host, address) => {
    expect(loopbackAddress(host)).toBe(address);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '::ffff:127.0.0.1', 'example.com', '127.0.0.1.nip.io', '', '128.0.0.1'])('%s is refused', (host) => {
    expect(loopbackAddress(host)).toBeNull();
  });

  it('writes an IPv6 address in brackets, as URLs and Host headers do', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('127.0.0.1')).toBe('127.0.0.1');
  });
});
