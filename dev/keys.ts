import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type JWK, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { ClientKeyAlg } from '../crypto/client-algorithms.js';

export interface DevKeys {
  /** A private JWKS as JSON text, in the form HUB_SIGNING_JWKS takes. */
  signingJwks: string;
  /** `kid:base64,…`, in the form HUB_DATA_KEYS takes. */
  dataKeys: string;
}

interface KeysFile extends DevKeys {
  createdAt: string;
}

/**
 * The hub's own keys outside production: generated once into `<dataDir>/keys.json` (0600) and
 * reused, so tokens and encrypted columns survive restarts. Never used with NODE_ENV=production.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<DevKeys> {
  const file = path.resolve(dataDir, 'keys.json');
  const existing = await readKeys(file);
  if (existing) return existing;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const now = new Date();
  const { privateJwk } = await generateClientKey('ES256');
  const dataKid = `k-${now.toISOString().slice(0, 10)}`;
  const content: KeysFile = {
    createdAt: now.toISOString(),
    signingJwks: JSON.stringify({ keys: [privateJwk] }),
    dataKeys: `${dataKid}:${randomBytes(32).toString('base64')}`,
  };
  // Write aside, then link into place: link() fails if the file exists, so when two processes
  // start at once exactly one set of keys wins, and nobody ever reads a half-written file.
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  const keys = await readKeys(file);
  if (!keys) throw new Error(`${file}: could not read back the keys just written`);
  return keys;
}

async function readKeys(file: string): Promise<DevKeys | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<KeysFile>;
  if (typeof parsed.signingJwks !== 'string' || typeof parsed.dataKeys !== 'string') {
    // Refuse rather than regenerate: new keys would make existing data unreadable.
    throw new Error(`${file} is malformed; fix it, or delete it to start over (data encrypted with it becomes unreadable)`);
  }
  // Someone may have copied it around with a looser mode; these are private keys.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return { signingJwks: parsed.signingJwks, dataKeys: parsed.dataKeys };
}

export type { ClientKeyAlg };

/**
 * A key pair for a SMART Backend Services client: the private JWK signs client assertions, the
 * public JWKS is what gets registered with the hub (`POST /v1/clients {jwks}`). The kid is the
 * RFC 7638 thumbprint, so the same key always gets the same kid.
 */
export async function generateClientKey(alg: ClientKeyAlg | (string & {}) = 'ES256'): Promise<{ privateJwk: JWK; publicJwks: { keys: JWK[] } }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg, use: 'sig' };
  return {
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwks: { keys: [{ ...publicJwk, ...meta }] },
  };
}

/**
 * Outside production, when HUB_ADMIN_JWKS is not set, the bootstrap admin client's key pair is
 * generated once into `<dataDir>/admin-private-jwk.json` (0600): the README's walkthrough signs
 * with it. Returns the public JWKS the hub registers for the admin client.
 */
export async function loadOrCreateDevAdminKey(dataDir: string): Promise<{ file: string; publicJwks: { keys: JWK[] } }> {
  const file = path.resolve(dataDir, 'admin-private-jwk.json');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    const { privateJwk } = await generateClientKey('ES256');
    await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const { d: _d, ...publicJwk } = JSON.parse(await readFile(file, 'utf8')) as JWK;
  return { file, publicJwks: { keys: [publicJwk] } };
}
