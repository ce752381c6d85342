import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/):
 * `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`, keyed by the
 * base64-decoded secret after the `whsec_` prefix. Partners verify with any Standard Webhooks
 * library, so this must match the spec byte for byte (see the spec's test vector in the tests).
 */

const PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class InvalidSecretError extends Error {
  override readonly name = 'InvalidSecretError';
}

/**
 * Decodes a `whsec_...` secret to its key bytes. The prefix is optional (as in the reference
 * libraries), but the rest must be strict base64 of 24..64 bytes: a plain password would
 * otherwise decode silently into garbage and every signature would fail at the partner.
 * The message never echoes the secret.
 */
export function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new InvalidSecretError('webhook secret must be "whsec_" followed by base64');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64) {
    throw new InvalidSecretError(`webhook secret must decode to 24..64 bytes, got ${key.length}`);
  }
  return key;
}

/** 24 random bytes, the spec's minimum and what the test vector uses. */
export function generateSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

function hmac(key: Buffer, msgId: string, timestamp: number | string, body: string): Buffer {
  return createHmac('sha256', key).update(`${msgId}.${timestamp}.${body}`, 'utf8').digest();
}

/** Returns the `webhook-signature` header value: `v1,<base64>`. `body` must be the exact bytes sent. */
export function sign(secret: string | Buffer, msgId: string, timestampSeconds: number, body: string): string {
  const key = typeof secret === 'string' ? decodeSecret(secret) : secret;
  return `v1,${hmac(key, msgId, timestampSeconds, body).toString('base64')}`;
}

export type HeaderSource =
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

export interface VerifyOptions {
  /** Replay window either side of `now`; the spec and our partners' libraries use 5 minutes. */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Verifies `webhook-id` / `webhook-timestamp` / `webhook-signature` over `body`. The signature
 * header may list several space-separated signatures (e.g. during secret rotation); one valid
 * `v1` signature is enough. Returns false rather than throwing for anything malformed, because
 * the input comes from the network.
 */
export function verify(secret: string | Buffer, headers: HeaderSource, body: string, opts: VerifyOptions = {}): boolean {
  let key: Buffer;
  try {
    key = typeof secret === 'string' ? decodeSecret(secret) : secret;
  } catch {
    return false;
  }
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!id || !ts || !sigs || !/^\d{1,15}$/.test(ts)) return false;
  const timestamp = Number(ts);
  const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (opts.toleranceSeconds ?? 300)) return false;

  // Sign the header text as received, not a re-formatted number.
  const expected = hmac(key, id, ts, body);
  let ok = false;
  for (const candidate of sigs.split(' ')) {
    const comma = candidate.indexOf(',');
    if (comma < 0 || candidate.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(candidate.slice(comma + 1), 'base64');
    // No early exit: keeps the work independent of which signature (if any) matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}
