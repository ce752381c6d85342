/**
 * Prints a `.env` for docker-compose.yml with fresh production keys:
 *   (umask 077; npx tsx dev/compose-env.ts [admin-private-key-file] > .env)
 * The bootstrap admin client's private JWK goes to its own file (default
 * `.hub/admin-private-jwk.json`, mode 0600), not into .env: the hub needs only the public half.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateClientKey } from './keys.js';

const adminKeyFile = process.argv[2] ?? '.hub/admin-private-jwk.json';
const signing = await generateClientKey('ES256');
const admin = await generateClientKey('ES256');
const dataKey = `k-${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64')}`;

await mkdir(path.dirname(adminKeyFile), { recursive: true, mode: 0o700 });
// 'wx': never overwrite an admin key that may already be registered somewhere.
try {
  await writeFile(adminKeyFile, `${JSON.stringify(admin.privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  process.stderr.write(`${adminKeyFile} exists; move it away or name another file as the first argument\n`);
  process.exit(1);
}

// Single quotes: compose takes such .env values literally (no ${} interpolation inside JSON).
process.stdout.write(
  [
    `HUB_SIGNING_JWKS='${JSON.stringify({ keys: [signing.privateJwk] })}'`,
    `HUB_DATA_KEYS='${dataKey}'`,
    `HUB_ADMIN_JWKS='${JSON.stringify(admin.publicJwks)}'`,
    '',
  ].join('\n'),
);
process.stderr.write(`admin client private key written to ${adminKeyFile} (kid ${String(admin.privateJwk.kid)})\n`);
