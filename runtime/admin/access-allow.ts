/**
 * tsfpm.status_allow: which client addresses may see the pool's pages (status, ping, metrics).
 * PHP-FPM leaves this to the web server in front of it (nginx `allow 127.0.0.1; deny all;`);
 * tsfpm answers HTTP itself, so it checks the client address itself.
 *
 * The value lists IPv4 and IPv6 addresses and CIDR ranges, separated by spaces or commas; `any`
 * allows every client. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket
 * reports for an IPv4 client) is the IPv4 address, in the list and in the check.
 * @module
 */
import { BlockList, isIP } from 'node:net';

export interface AccessList {
  allows(address: string | undefined): boolean;
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The address as BlockList wants it: mapped IPv4 unwrapped, an IPv6 zone (`fe80::1%eth0`) dropped. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const unzoned = address.replace(/%.*$/, '');
  const mapped = MAPPED.exec(unzoned);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const version = isIP(unzoned);
  if (version === 0) return undefined;
  return { address: unzoned, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** One entry: an address (bits undefined) or a CIDR range; undefined when it is neither. */
function parseEntry(entry: string): { address: string; family: 'ipv4' | 'ipv6'; bits: number | undefined } | undefined {
  const [host = '', prefix, extra] = entry.split('/');
  const ip = normalize(host);
  if (!ip || extra !== undefined) return undefined;
  if (prefix === undefined) return { ...ip, bits: undefined };
  if (!/^\d{1,3}$/.test(prefix)) return undefined;
  // a mapped range (::ffff:10.0.0.0/104) is the IPv4 range of its last 32 bits
  const bits = Number(prefix) - (ip.family === 'ipv4' && isIP(host) === 6 ? 96 : 0);
  return bits >= 0 && bits <= (ip.family === 'ipv4' ? 32 : 128) ? { ...ip, bits } : undefined;
}

/**
 * Reads the setting's value. Entries that are neither an address nor a range are reported to
 * `warn` (naming the setting) and skipped; an empty list allows nobody.
 */
export function parseAccessList(value: string, warn: (message: string) => void): AccessList {
  const entries = value.split(/[\s,]+/).filter(Boolean);
  if (entries.some((e) => e.toLowerCase() === 'any')) return { allows: () => true };
  const list = new BlockList();
  for (const entry of entries) {
    const range = parseEntry(entry);
    if (!range) warn(`tsfpm.status_allow: "${entry}" is not an IP address or CIDR range (as 127.0.0.1, ::1, 10.0.0.0/8, fd00::/8 or any); ignored`);
    else if (range.bits === undefined) list.addAddress(range.address, range.family);
    else list.addSubnet(range.address, range.bits, range.family);
  }
  return {
    allows(address) {
      const ip = address === undefined ? undefined : normalize(address);
      return ip !== undefined && list.check(ip.address, ip.family);
    },
  };
}
