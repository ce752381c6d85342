import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { importJWK, type JWK } from 'jose';
import { CLIENT_ASSERTION_ALGORITHMS, type ClientKeyAlg } from '../../crypto/client-algorithms.js';
import { generateClientKey } from '../../dev/keys.js';
import { CliError, fileError } from './errors.js';

/** The algorithms the hub accepts for client assertions (SMART Backend Services). */
export const CLIENT_KEY_ALGS: readonly ClientKeyAlg[] = CLIENT_ASSERTION_ALGORITHMS;

export function checkAlg(alg: string): ClientKeyAlg {
  if (!(CLIENT_KEY_ALGS as readonly string[]).includes(alg)) {
    throw new CliError(`unsupported algorithm ${alg}; use one of ${CLIENT_KEY_ALGS.join(', ')}`);
  }
  return alg as ClientKeyAlg;
}

/**
 * `hubctl keygen`: writes a new private JWK (0600) and returns the public JWKS to register.
 * An existing file is kept unless `force`: it may be a key some client is registered with, and
 * losing it locks that client out.
 */
export async function keygen(file: string, alg: ClientKeyAlg, force: boolean): Promise<{ keys: JWK[] }> {
  const { privateJwk, publicJwks } = await generateClientKey(alg);
  const text = `${JSON.stringify(privateJwk, null, 2)}\n`;
  // Written aside first and moved into place, so a reader never sees half a key.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw fileError('cannot write', file, error);
  }
  try {
    if (force) await rename(tmp, file);
    else await link(tmp, file); // link() refuses an existing target, even one created a moment ago
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${file} exists; it may be a key a client is registered with. Pass --force to replace it`);
    }
    throw fileError('cannot write', file, error);
  } finally {
    await rm(tmp, { force: true });
  }
  return publicJwks;
}

/** Reads a private JWK written by `keygen` (or any private JWK with `alg` and `kid`). */
export async function readPrivateKey(file: string): Promise<{ jwk: JWK; key: Awaited<ReturnType<typeof importJWK>> }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileError('cannot read the key file', file, error);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new CliError(`${file} is not JSON; expected a private JWK, as hubctl keygen writes`);
  }
  if (typeof jwk !== 'object' || jwk === null || !jwk.d || !jwk.alg || !jwk.kid) {
    throw new CliError(`${file} is not a private JWK with "alg", "kid" and "d", as hubctl keygen writes`);
  }
  checkAlg(jwk.alg);
  try {
    return { jwk, key: await importJWK(jwk, jwk.alg) };
  } catch (error) {
    throw new CliError(`${file}: the key cannot be used: ${(error as Error).message}`);
  }
}
