/**
 * Reverse proxies the server believes (`--trust-proxy`, docs/deploy.md): a request whose peer
 * (the TCP connection's address) is one of them has its client's address taken from
 * `X-Forwarded-For`, the right-most address in it that is not itself a trusted proxy (Fastify's
 * `request.ip`, with `trustProxy` set to `isTrusted` below). `X-Forwarded-For` from any other
 * peer is ignored: anyone can send one, with any address in it.
 *
 * With the setting, `request.ip` is the client's address in logs and in the per-address
 * bounds (app.ts, connection-limits.ts); without it, the peer's, as before.
 */
import { BlockList, isIP } from 'node:net';

/** Whether a peer at `address` is a trusted proxy. */
export type ProxyTrust = (address: string | undefined) => boolean;

/**
 * One entry of the setting, an address (`127.0.0.1`, `::1`) or a CIDR range (`10.0.0.0/8`,
 * `fd00::/8`), normalized; or a reason it is neither.
 */
export function proxyEntry(text: string): { readonly entry: string } | { readonly problem: string } {
  const [address = '', prefix, extra] = text.split('/');
  const family = isIP(address);
  // A zone (`fe80::1%eth0`) names an interface of this machine, which a peer's address never carries.
  if (family === 0 || address.includes('%') || extra !== undefined) return { problem: 'is not an IP address or a CIDR range' };
  const normalized = family === 6 ? address.toLowerCase() : address;
  if (prefix === undefined) return { entry: normalized };
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return { problem: `has a prefix length that is not a number from 0 to ${max}` };
  return { entry: `${normalized}/${Number(prefix)}` };
}

function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const e of entries) {
    const [address = '', prefix] = e.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** Matches a peer's address against entries made by proxyEntry; an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as its IPv4 one. */
function matcher(entries: readonly string[]): ProxyTrust {
  const list = blockList(entries);
  return (address) => {
    const family = address === undefined ? 0 : isIP(address);
    return family !== 0 && list.check(address as string, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The trust of a server with this setting; null when it is unset (no proxy is believed). */
export function proxyTrust(entries: readonly string[] | undefined): ProxyTrust | null {
  return entries === undefined || entries.length === 0 ? null : matcher(entries);
}

/**
 * Loopback, private (RFC 1918, carrier-grade NAT, IPv6 unique local) and link-local addresses:
 * where a reverse proxy on the same machine or network connects from.
 */
export const isLocalAddress: ProxyTrust = matcher([
  '127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '::1', 'fc00::/7', 'fe80::/10',
]);
