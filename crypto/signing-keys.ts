import { importJWK, type CryptoKey, type JWK } from 'jose';

/** The hub's own token-signing keys: the first signs, all verify (rotation without downtime). */
export interface SigningKeys {
  signer: { kid: string; alg: string; key: CryptoKey };
  verifiers: Map<string, { alg: string; key: CryptoKey }>;
  publicJwks: { keys: JWK[] };
}

export async function loadSigningKeys(jwks: unknown): Promise<SigningKeys> {
  const keys = (jwks as { keys?: JWK[] })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('HUB_SIGNING_JWKS: a JWKS with at least one private key');
  const verifiers = new Map<string, { alg: string; key: CryptoKey }>();
  const publicKeys: JWK[] = [];
  let signer: SigningKeys['signer'] | undefined;
  for (const [index, jwk] of keys.entries()) {
    if (!jwk.kid || !jwk.alg) throw new Error(`HUB_SIGNING_JWKS: key ${index} needs kid and alg`);
    if (!jwk.d) throw new Error(`HUB_SIGNING_JWKS: key ${jwk.kid} is not a private key`);
    const privateKey = (await importJWK(jwk, jwk.alg)) as CryptoKey;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
    const publicKey = (await importJWK(publicJwk, jwk.alg)) as CryptoKey;
    verifiers.set(jwk.kid, { alg: jwk.alg, key: publicKey });
    publicKeys.push({ ...publicJwk, use: 'sig' });
    signer ??= { kid: jwk.kid, alg: jwk.alg, key: privateKey };
  }
  return { signer: signer!, verifiers, publicJwks: { keys: publicKeys } };
}
