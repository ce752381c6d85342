import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SignJWT, importJWK, type JWK } from 'jose';
import http from 'node:http';
import { verify } from '../adapters/webhook/sign.js';
import { generateClientKey } from '../dev/keys.js';

/**
 * A small companion for people and scripts that talk to the hub (the README walkthrough uses it):
 *   hubctl keygen <private-key-file>          writes a private JWK, prints the public JWKS
 *   hubctl token --client <id> --key <file>   signs a client assertion, prints an access token
 *   hubctl assertion --client <id> --key <file>  prints just the signed client assertion
 *   hubctl listen --port 9000 --secret whsec_…  a webhook receiver that verifies signatures and
 *                                               prints each message as one JSON line
 */
const USAGE = `usage:
  hubctl keygen <private-key-file> [--alg ES256|ES384|RS384|EdDSA]
  hubctl token --client <client-id> --key <private-key-file> [--url http://localhost:8080]
  hubctl assertion --client <client-id> --key <private-key-file> [--url http://localhost:8080]
  hubctl listen --port <port> --secret <whsec_...>`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    client: { type: 'string' },
    key: { type: 'string' },
    url: { type: 'string', default: process.env.HUB_URL ?? 'http://localhost:8080' },
    alg: { type: 'string', default: 'ES256' },
    port: { type: 'string', default: '9000' },
    secret: { type: 'string' },
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
} else if (command === 'listen' && values.secret) {
  const secret = values.secret;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verify(secret, req.headers as Record<string, string>, body);
      // A receiver must answer 2xx only to messages it can trust (Standard Webhooks).
      res.writeHead(valid ? 204 : 401).end();
      let json: unknown = body;
      try {
        json = JSON.parse(body);
      } catch {
        // keep the raw text
      }
      process.stdout.write(`${JSON.stringify({ webhookId: req.headers['webhook-id'], signatureValid: valid, message: json })}\n`);
    });
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    process.stderr.write(`cannot listen on port ${values.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}\n`);
    process.exit(1);
  });
  server.listen(Number(values.port), '127.0.0.1', () => process.stderr.write(`listening on http://127.0.0.1:${values.port}\n`));
} else {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
