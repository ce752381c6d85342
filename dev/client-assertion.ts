import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';

export interface AssertionOptions {
  /** Seconds of life; the hub accepts at most 300. */
  expSeconds?: number;
  /** A fixed `jti`, to show that a replayed assertion is refused. */
  jti?: string;
  /** The key already imported from `jwk` (hubctl imports it to check the file first). */
  key?: CryptoKey | KeyObject | Uint8Array;
}

/**
 * A SMART Backend Services client assertion (`private_key_jwt`, RFC 7523): iss = sub = the client
 * id, the hub's token endpoint as `aud`, a fresh `jti`, 4 minutes of life by default. One signer for
 * hubctl, the bench, the demo and the tests, so they all show partners the same token request.
 */
export async function signClientAssertion(clientId: string, jwk: JWK, audience: string, options: AssertionOptions = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expSeconds ?? 240))
    .setJti(options.jti ?? randomUUID())
    .sign(options.key ?? (await importJWK(jwk, jwk.alg)));
}

/** The form body that trades a client assertion for an access token (client_credentials, RFC 7523). */
export function tokenRequestBody(assertion: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  });
}
