import { isIPv4, isIPv6 } from 'node:net';

/*
 * Where `svc ui` may listen: a loopback address only. The page shows every service of this user
 * with buttons that restart and stop them, so it is served to this machine alone; from another
 * machine it is reached through an SSH tunnel (`ssh -L`), which keeps the token and the Host check
 * meaningful. Kept apart from the server so that the command checks `--host` without loading it.
 */

/** The address to bind for `--host`, or null when it is not a loopback address. `localhost` is 127.0.0.1. */
export function loopbackAddress(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return '127.0.0.1';
  if (isIPv4(bare)) return bare.startsWith('127.') ? bare : null;
  // The URL parser writes an IPv6 address in its shortest form: 0:0:0:0:0:0:0:1 is [::1].
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname === '[::1]' ? '::1' : null;
  return null;
}

/** The address as it stands in a URL and in a Host header (IPv6 in brackets). */
export const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);
