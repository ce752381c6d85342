import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SignJWT, importJWK, type JWK } from 'jose';
import { generateClientKey } from '../dev/keys.js';

/**
 * A small companion for people and scripts that talk to the hub (the README walkthrough uses it):
 *   hubctl keygen <private-key-file>          writes a private JWK, prints the public JWKS
 *   hubctl token --client <id> --key <file>   signs a client assertion, prints an access token
 *   hubctl assertion --client <id> --key <file>  prints just the signed client assertion
 */
const USAGE = `usage:
  hubctl keygen <private-key-file> [--alg ES256|ES384|RS384|EdDSA]
  hubctl token --client <client-id> --key <private-key-file> [--url http://localhost:8080]
  hubctl assertion --client <client-id> --key <private-key-file> [--url http://localhost:8080]`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    client: { type: 'string' },
    key: { type: 'string' },
    url: { type: 'string', default: process.env.HUB_URL ?? 'http://localhost:8080' },
    alg: { type: 'string', default: 'ES256' },
  },
});

async function assertion(clientId: string, keyFile: string, hubUrl: string): Promise<string> {
  const jwk = JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
  const key = await importJWK(jwk, jwk.alg);
  return new SignJWT({})
    .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid!, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(`${hubUrl.replace(/\/$/, '')}/oauth/token`)
    .setIssuedAt()
    .setExpirationTime('4m')
    .setJti(randomUUID())
    .sign(key);
}

const [command, file] = positionals;
if (command === 'keygen' && file) {
  const { privateJwk, publicJwks } = await generateClientKey(values.alg);
  await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`${JSON.stringify(publicJwks)}\n`);
} else if ((command === 'token' || command === 'assertion') && values.client && values.key) {
  const signed = await assertion(values.client, values.key, values.url!);
  if (command === 'assertion') {
    process.stdout.write(`${signed}\n`);
  } else {
    const response = await fetch(`${values.url!.replace(/\/$/, '')}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: signed,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token) {
      process.stderr.write(`token request failed (${response.status}): ${JSON.stringify(body)}\n`);
      process.exit(1);
    }
    process.stdout.write(`${body.access_token}\n`);
  }
} else {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
