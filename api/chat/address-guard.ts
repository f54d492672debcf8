import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to every address it has (dns.lookup with `all` by default). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

// Addresses a tenant's webhook must never reach: this machine, the private network, the cloud
// metadata service (169.254.169.254, fd00:ec2::254, 100.100.100.200 fall in these), and the
// IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo), which some stacks route
// to the IPv4 address inside.
// Two lists: Node checks an IPv4 address against IPv6 rules too (as ::ffff:a.b.c.d), so one
// list holding ::/96 would refuse every IPv4 address.
const BLOCKED_V4 = new BlockList();
const BLOCKED_V6 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches localhost on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, the metadata address
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED_V4.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  ['::', 96], // IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['2002::', 16], // 6to4: an IPv4 address in bits 16-47
  ['2001::', 32], // Teredo: an IPv4 address in the last 32 bits
  ['100::', 64], // discard
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local
  ['ff00::', 8], // multicast
] as const)
  BLOCKED_V6.addSubnet(net, bits, 'ipv6');

/** Whether an IP address (v4 or v6, any canonical form) is one a webhook may not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family === 6) return BLOCKED_V6.check(address, 'ipv6');
  return true;
}

/** A URL's host as an IP literal (WHATWG already turned `2130706433`, `0x7f.1`, `0177.0.0.1` into dotted form), or null for a name. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) ? host : null;
}

export class BlockedAddressError extends Error {
  readonly code = 'blocked_address';
}

/**
 * The address to connect to for a webhook URL: resolved now, at connection time, and refused
 * when any address the name has is blocked (unless private addresses are allowed). The
 * connection then goes to that address, never to the name, so a second lookup that answers
 * differently (DNS rebinding) is never made.
 */
export async function safeAddress(url: URL, opts: { allowPrivate: boolean; resolve: Resolver }): Promise<string> {
  const literal = literalAddress(url);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const found = literal ? [literal] : (await opts.resolve(host)).map((a) => a.address);
  if (!found.length) throw new Error(`no address for ${host}`);
  if (!opts.allowPrivate && found.some(isBlockedAddress)) throw new BlockedAddressError('the webhook URL points at a private or reserved address');
  return found[0];
}
