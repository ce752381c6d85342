/**
 * Writes the `.env` that docker-compose.yml reads: fresh production keys for the hub and fresh
 * passwords for its PostgreSQL and Redis. The bootstrap admin client's private key goes to a file
 * of its own (the hub needs only the public half), separate from the one `npm start` generates
 * for development, so the two never collide:
 *
 *   npx tsx dev/compose-env.ts [--env-file .env] [--admin-key .hub/compose-admin-private-jwk.json] [--force]
 *
 * It writes both files itself (mode 0600, written aside and moved into place), so a failure never
 * leaves a half-written or empty `.env`. An existing `.env` or admin key is kept unless --force:
 * they hold the keys of a deployment, and encrypted data and registered clients depend on them.
 * An empty `.env` (what `> .env` leaves behind when the command fails) counts as absent.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { generateClientKey } from './keys.js';

const program = new Command('compose-env')
  .description("Write docker-compose.yml's .env: production keys and service passwords, plus the admin client's private key.")
  .option('--env-file <file>', 'where to write the variables', '.env')
  .option('--admin-key <file>', "where to write the bootstrap admin client's private JWK", '.hub/compose-admin-private-jwk.json')
  .option('--force', 'replace an existing .env and admin key (the old keys, and data encrypted with them, are lost)')
  .showHelpAfterError()
  .parse();
const opts = program.opts<{ envFile: string; adminKey: string; force?: boolean }>();

class Refusal extends Error {}

/** Size of the file, or undefined when there is none. */
async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `text` to `file` (0600) all at once: aside first, then moved into place. Without
 * `replace`, link() refuses a file that appeared in the meantime.
 */
async function writeWhole(file: string, text: string, replace: boolean): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    if (replace) await rename(tmp, file);
    else await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new Refusal(`${file} appeared while this ran; nothing was replaced`);
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function main(): Promise<void> {
  const envSize = await sizeOf(opts.envFile);
  const keyExists = (await sizeOf(opts.adminKey)) !== undefined;
  // Both checked before anything is written: a refusal leaves both files as they were.
  if (!opts.force && envSize) {
    throw new Refusal(`${opts.envFile} exists; it holds a deployment's keys (data encrypted under HUB_DATA_KEYS cannot be read without them). Pass --force to replace it`);
  }
  if (!opts.force && keyExists) {
    throw new Refusal(`${opts.adminKey} exists; it may be the admin key of a running deployment. Name another file with --admin-key, or pass --force to replace it`);
  }

  const signing = await generateClientKey('ES256');
  const admin = await generateClientKey('ES256');
  const dataKey = `k-${new Date().toISOString().slice(0, 10)}:${randomBytes(32).toString('base64')}`;
  // Hex: safe inside the connection URLs compose builds from them.
  const password = () => randomBytes(24).toString('hex');

  // Single quotes: compose takes such .env values literally (no ${} interpolation inside JSON).
  const env = [
    '# Written by dev/compose-env.ts for docker-compose.yml. Secrets: keep this file out of git and backups you share.',
    `HUB_SIGNING_JWKS='${JSON.stringify({ keys: [signing.privateJwk] })}'`,
    `HUB_DATA_KEYS='${dataKey}'`,
    `HUB_ADMIN_JWKS='${JSON.stringify(admin.publicJwks)}'`,
    `POSTGRES_PASSWORD=${password()}`,
    `REDIS_PASSWORD=${password()}`,
    '# The hub is published on 127.0.0.1 only; HUB_BIND=0.0.0.0 publishes it on every interface.',
    '# HUB_BIND=0.0.0.0',
    '# HUB_PORT=8080',
    '# HUB_PUBLIC_URL=https://hub.example.org',
    '',
  ].join('\n');

  // The key first: a .env without its admin key would lock the operator out of the new hub.
  await writeWhole(opts.adminKey, `${JSON.stringify(admin.privateJwk, null, 2)}\n`, opts.force === true);
  try {
    await writeWhole(opts.envFile, env, opts.force === true || envSize === 0);
  } catch (error) {
    await rm(opts.adminKey, { force: true });
    throw error;
  }
  process.stderr.write(`wrote ${opts.envFile} and the admin client's private key ${opts.adminKey} (kid ${String(admin.privateJwk.kid)})\n`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`compose-env: ${(error as Error).message}\n`);
  process.exit(1);
}
