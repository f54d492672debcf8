import { BlockList, isIP } from 'node:net';

// Behind a load balancer every socket comes from the balancer: per-address limits (open
// sockets, sign-in throttling) would then count every visitor as one. The client's address is
// taken from `X-Forwarded-For` only when the peer is a proxy the operator named
// (`PARLEY_TRUSTED_PROXIES`), and only as far as the chain of trusted proxies goes: an address a
// client wrote into the header itself is never believed.

/** Decides whether an address is one of the operator's proxies. */
export type ProxyTrust = (address: string) => boolean;

/** Trusts nobody: the socket's peer is the client (the default). */
export const trustNoProxy: ProxyTrust = () => false;

const KEYWORDS: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

/** Whether one entry of `PARLEY_TRUSTED_PROXIES` is valid: `loopback`, `private`, an address or a CIDR. */
export function validProxyEntry(entry: string): boolean {
  if (entry in KEYWORDS) return true;
  const [ip, bits, extra] = entry.split('/');
  const family = isIP(ip ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** An IPv4 address as Node's IPv6 sockets report it (`::ffff:10.0.0.2`) is that IPv4 address. */
const unmapped = (address: string) => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);

/** Builds the trust rule from entries already checked by `validProxyEntry` (the config schema). */
export function proxyTrust(entries: readonly string[]): ProxyTrust {
  if (entries.length === 0) return trustNoProxy;
  const list = new BlockList();
  for (const entry of entries) {
    for (const [net, bits, family] of KEYWORDS[entry] ?? []) list.addSubnet(net, bits, family);
    if (entry in KEYWORDS) continue;
    const [ip, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(bits), family);
  }
  return (address) => {
    const a = unmapped(address);
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Longest `X-Forwarded-For` read: hops beyond this many are not looked at. */
const MAX_HOPS = 16;

/**
 * The client's address: the peer, or, while the peer and then each hop is a trusted proxy, the
 * hop before it in `X-Forwarded-For` (read right to left). The walk stops at the first address
 * that is not a trusted proxy, at anything that is not an address (a client's own text), and
 * after MAX_HOPS.
 */
export function clientAddressOf(peer: string, forwardedFor: string | string[] | undefined, trusted: ProxyTrust): string {
  let client = unmapped(peer);
  if (!forwardedFor || !trusted(client)) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS && trusted(client); i--, seen++) {
    const hop = unmapped(hops[i]!.trim());
    if (!isIP(hop)) break;
    client = hop;
  }
  return client;
}

/** The first value of a proxy's header (`X-Forwarded-Proto: https, http` → `https`), only from a trusted peer. */
export function forwardedValue(peer: string, value: string | undefined, trusted: ProxyTrust): string | undefined {
  if (!value || !trusted(unmapped(peer))) return undefined;
  return value.split(',')[0]!.trim() || undefined;
}
