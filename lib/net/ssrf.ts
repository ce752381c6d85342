import dns from 'node:dns';
import net from 'node:net';

/**
 * SSRF guard for every URL a client supplies (webhook targets, FHIR base URLs, JWKS URLs).
 *
 * Two layers, because one is not enough:
 * 1. `assertPublicUrl` before sending: a clear, early error (and usable when a partner registers
 *    a URL), but a check on a DNS answer says nothing about the next DNS answer.
 * 2. `guardedLookup` as the socket's `lookup`: checks the addresses actually connected to, so a
 *    hostname that re-resolves to 127.0.0.1 or 169.254.169.254 after the check (DNS rebinding)
 *    is refused at connect time. Node skips `lookup` for IP literals, but literals cannot rebind
 *    and layer 1 has already checked them.
 */

export type UnsafeTargetReason = 'invalid_url' | 'scheme' | 'blocked_address';

export class UnsafeTargetError extends Error {
  override readonly name = 'UnsafeTargetError';
  readonly code = 'ERR_UNSAFE_TARGET';
  constructor(
    readonly reason: UnsafeTargetReason,
    message: string,
  ) {
    super(message);
  }
}

export function isUnsafeTargetError(err: unknown): err is UnsafeTargetError {
  return err instanceof UnsafeTargetError;
}

type Bytes = number[];

interface Range {
  prefix: Bytes;
  bits: number;
  why: string;
}

function parseIPv4(addr: string): Bytes | null {
  if (net.isIPv4(addr) === false) return null;
  return addr.split('.').map((p) => Number(p));
}

/** Expands any valid IPv6 text form (`::`, embedded dotted quad, zone id) to 16 bytes. */
function parseIPv6(input: string): Bytes | null {
  const addr = input.split('%')[0] ?? '';
  if (!net.isIPv6(addr)) return null;
  let text = addr;
  const tail: Bytes = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (!v4) return null;
    tail.push(...v4);
    text = text.slice(0, lastColon + 1) + '0:0'; // placeholder groups, replaced below
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const toGroups = (s: string | undefined): number[] =>
    s === undefined || s === '' ? [] : s.split(':').map((g) => parseInt(g, 16));
  const headGroups = toGroups(head);
  const restGroups = toGroups(rest);
  const groups =
    rest === undefined
      ? headGroups
      : [...headGroups, ...new Array<number>(8 - headGroups.length - restGroups.length).fill(0), ...restGroups];
  if (groups.length !== 8) return null;
  const bytes = groups.flatMap((g) => [(g >> 8) & 0xff, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function range(cidr: string, why: string): Range {
  const [addr = '', bits = ''] = cidr.split('/');
  const prefix = parseIPv4(addr) ?? parseIPv6(addr);
  if (!prefix) throw new Error(`bad CIDR in SSRF table: ${cidr}`);
  return { prefix, bits: Number(bits), why };
}

function inRange(bytes: Bytes, r: Range): boolean {
  if (bytes.length !== r.prefix.length) return false;
  let bits = r.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((r.prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

// Everything that is not a routable public unicast address. Documentation and benchmarking ranges
// are included: they are never a legitimate partner, and some networks route them internally.
const V4_BLOCKED: Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'), // includes cloud metadata 169.254.169.254
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'IETF protocol assignments'),
  range('192.0.2.0/24', 'documentation'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'), // includes broadcast 255.255.255.255
];

const V6_BLOCKED: Range[] = [
  // ::/96 covers unspecified (::), loopback (::1) and the deprecated IPv4-compatible form.
  range('::/96', 'unspecified, loopback or IPv4-compatible'),
  range('64:ff9b:1::/48', 'local-use NAT64'),
  range('100::/64', 'discard-only'),
  range('2001::/32', 'Teredo'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique local (private)'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local (deprecated)'),
  range('ff00::/8', 'multicast'),
];

// IPv6 forms that carry an IPv4 address the packet really goes to: judge that IPv4 address,
// otherwise ::ffff:127.0.0.1 would slip past every IPv4 rule.
const V6_EMBEDDING_V4: { range: Range; offset: number }[] = [
  { range: range('::ffff:0:0/96', 'IPv4-mapped'), offset: 12 },
  { range: range('64:ff9b::/96', 'NAT64'), offset: 12 },
  { range: range('2002::/16', '6to4'), offset: 2 },
];

/**
 * Why `address` (an IP literal) is not a safe outbound target, or `null` when it is public.
 * Anything that does not parse as an IP is refused: the caller must resolve names first.
 */
export function blockedAddressReason(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4) return V4_BLOCKED.find((r) => inRange(v4, r))?.why ?? null;
  const v6 = parseIPv6(address);
  if (!v6) return 'not an IP address';
  for (const { range: r, offset } of V6_EMBEDDING_V4) {
    if (inRange(v6, r)) {
      const why = blockedAddressReason(v6.slice(offset, offset + 4).join('.'));
      return why === null ? null : `${r.why} ${why}`;
    }
  }
  return V6_BLOCKED.find((r) => inRange(v6, r))?.why ?? null;
}

export function isBlockedAddress(address: string): boolean {
  return blockedAddressReason(address) !== null;
}

export type LookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

const systemLookupAll: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** `new URL('http://[::1]/').hostname` is `[::1]`; DNS and IP parsing want it bare. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function refuse(host: string, address: string, why: string): UnsafeTargetError {
  // The host only, never the full URL: partner URLs may carry tokens in the path or query.
  const shown = host === address ? address : `${host} (${address})`;
  return new UnsafeTargetError('blocked_address', `refusing to connect to ${shown}: ${why} address`);
}

/**
 * Throws `UnsafeTargetError` for anything but http(s), and (unless `allowPrivate`) when the host
 * resolves to any non-public address: one private answer among public ones is enough to refuse,
 * since the socket may pick it. DNS failures are rethrown as they are (a transient problem, not a
 * policy refusal). `lookup` is injectable for tests.
 */
export async function assertPublicUrl(
  url: string,
  opts: { allowPrivate: boolean; lookup?: LookupAll },
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UnsafeTargetError('invalid_url', 'target is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UnsafeTargetError('scheme', `refusing scheme ${parsed.protocol} (only http and https)`);
  }
  if (opts.allowPrivate) return;
  const host = bareHost(parsed.hostname);
  if (net.isIP(host) !== 0) {
    const why = blockedAddressReason(host);
    if (why !== null) throw refuse(host, host, why);
    return;
  }
  const answers = await (opts.lookup ?? systemLookupAll)(host);
  if (answers.length === 0) throw new UnsafeTargetError('blocked_address', `${host} resolved to no address`);
  for (const { address } of answers) {
    const why = blockedAddressReason(address);
    if (why !== null) throw refuse(host, address, why);
  }
}

/** The signature `net.connect({ lookup })` calls, for both `all: true` and single answers. */
export type SocketLookup = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for `net.connect` / undici (`new Pool(origin, { connect: { lookup } })`) that
 * refuses to hand the socket any blocked address. Node 20 calls it with `all: true` when
 * `autoSelectFamily` (happy eyeballs) is on, and without it otherwise; both are handled.
 */
export function guardedLookup(allowPrivate: boolean, lookup: LookupAll = systemLookupAll): SocketLookup {
  return (hostname, options, callback) => {
    // `family` may be 0, 4, 6 or (newer Node) 'IPv4' / 'IPv6'.
    const f: unknown = options.family;
    const wanted = f === 4 || f === 'IPv4' ? 4 : f === 6 || f === 'IPv6' ? 6 : undefined;
    lookup(hostname).then(
      (answers) => {
        const usable = wanted === undefined ? answers : answers.filter((a) => a.family === wanted);
        if (!allowPrivate) {
          for (const { address } of usable) {
            const why = blockedAddressReason(address);
            if (why !== null) {
              callback(refuse(hostname, address, why), '', undefined);
              return;
            }
          }
        }
        const first = usable[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          callback(err, '', undefined);
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', undefined),
    );
  };
}
