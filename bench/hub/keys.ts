import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JWK } from 'jose';
import { generateClientKey } from '../../dev/keys.js';

export interface BenchKeys {
  /** The variables production requires, pointing at files in `dir` where the variable allows a path. */
  env: Record<string, string>;
  dataKeys: string;
  adminKey: JWK;
}

/**
 * Fresh production keys for one run, as an operator would make them: token signing and admin
 * JWKS written to files (0600) in the run's temporary folder, the data key passed inline.
 */
export async function generateBenchKeys(dir: string): Promise<BenchKeys> {
  const signing = await generateClientKey('ES256');
  const admin = await generateClientKey('ES256');
  const signingFile = path.join(dir, 'signing-jwks.json');
  const adminFile = path.join(dir, 'admin-jwks.json');
  await writeFile(signingFile, JSON.stringify({ keys: [signing.privateJwk] }), { mode: 0o600 });
  await writeFile(adminFile, JSON.stringify(admin.publicJwks), { mode: 0o600 });
  const dataKeys = `bench-1:${randomBytes(32).toString('base64')}`;
  return { env: { HUB_SIGNING_JWKS: signingFile, HUB_ADMIN_JWKS: adminFile, HUB_DATA_KEYS: dataKeys }, dataKeys, adminKey: admin.privateJwk };
}
