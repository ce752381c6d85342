/**
 * Writes the hub's OpenAPI document, exactly as `GET /openapi.json` serves it, without a database,
 * Redis or a listening port: the document is built from the route declarations alone, so CI can
 * lint it (`npm run lint:openapi`) before any service is up.
 *
 *   npx tsx dev/openapi-document.ts [file]     # default: dist/openapi.json; `-` for stdout
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../config/config.js';
import { createApp } from '../gateway/app.js';
import type { Hub } from '../services/hub.js';
import { createLogger } from '../lib/logger.js';
import { createMetrics } from '../lib/metrics.js';

/** Anything the document would need from a running hub fails loudly instead of returning undefined. */
function unavailableService(name: string): never {
  return new Proxy({}, {
    get(_target, property) {
      throw new Error(`building the OpenAPI document touched hub.${name}.${String(property)}; it must need no running service`);
    },
  }) as never;
}

export async function buildOpenApiDocument(env: NodeJS.ProcessEnv = { NODE_ENV: 'development' }): Promise<unknown> {
  const config = parseConfig(env);
  const hub: Hub = {
    config,
    sql: unavailableService('sql'),
    redis: unavailableService('redis'),
    deliveries: unavailableService('deliveries'),
    statusPolls: unavailableService('statusPolls'),
    keyring: unavailableService('keyring'),
    signingKeys: unavailableService('signingKeys'),
    adminJwks: undefined,
    logger: createLogger('silent'),
    metrics: createMetrics(),
    bases: unavailableService('bases'),
    clock: unavailableService('clock'),
    organizations: unavailableService('organizations'),
    relayWake: unavailableService('relayWake'),
  };
  const response = await createApp(hub).request('/openapi.json');
  if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}: ${await response.text()}`);
  return response.json();
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('openapi-document.ts')) {
  const out = process.argv[2] ?? 'dist/openapi.json';
  const text = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
  if (out === '-') {
    process.stdout.write(text);
  } else {
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, text);
    console.error(`wrote ${out}`);
  }
}
