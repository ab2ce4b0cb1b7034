/**
 * Where the service may connect on behalf of someone who typed a URL (a webhook's): public unicast
 * addresses only. Loopback, private, shared (CGNAT), link-local, unspecified, multicast, reserved and
 * documentation ranges are refused, in IPv4 and IPv6, and so are IPv6 forms that carry an IPv4
 * address (mapped, NAT64, 6to4, Teredo) — the WHATWG URL parser has already turned every spelling of
 * an IPv4 address (2130706433, 0x7f.1, 127.1) into dotted form. Names are resolved, and every address
 * they resolve to must pass; `guardedLookup` hands the connection the very address it checked, so a
 * name cannot resolve to a public address for the check and a private one for the connection.
 */
import { lookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Two lists: a BlockList also checks an IPv4 address against IPv6 rules in its mapped form
// (::ffff:a.b.c.d), so one list with ::ffff:0:0/96 would refuse every IPv4 address.
const blocked4 = new BlockList();
const blocked6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked6.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, without brackets) is a public unicast one. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked4.check(address, 'ipv4');
  if (family === 6) return !blocked6.check(address, 'ipv6');
  return false;
}

/** An error a connection attempt fails with when it would reach a non-public address. */
export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTPUBLIC';
  constructor(host: string) {
    super(`${host} resolves to an address that is not public`);
  }
}

type Resolved = { address: string; family: number };

function resolveAll(host: string): Promise<Resolved[]> {
  const bare = bareHost(host);
  const family = isIP(bare);
  if (family !== 0) return Promise.resolve([{ address: bare, family }]);
  return new Promise((resolve, reject) =>
    lookup(bare, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );
}

/** The host of a URL without the brackets of an IPv6 literal. */
export const bareHost = (hostname: string) =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

/** Resolves a host and refuses it unless every address it resolves to is public. */
export async function publicAddressesOf(host: string): Promise<Resolved[]> {
  const addresses = await resolveAll(host);
  if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address)))
    throw new AddressNotAllowedError(host);
  return addresses;
}

/**
 * A `lookup` for http.request/net.connect that resolves the host, refuses it unless every address is
 * public, and connects to what it checked. Node does not call a lookup for an IP literal: check those
 * with isPublicAddress first (post-once.ts does).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  publicAddressesOf(hostname).then(
    (addresses) => {
      const first = addresses[0] as Resolved;
      if (options.all) (callback as (e: null, a: Resolved[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    },
    (err: NodeJS.ErrnoException) => callback(err, '', 0),
  );
};
