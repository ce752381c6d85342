import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiClientKey } from '../hub-client.js';

/**
 * What the demo must remember between runs that the hub shows only once: the private keys of the
 * API clients it registered and the webhook secrets it gave its partners. Kept in the hub's data
 * folder (git-ignored, 0600), one file per hub. Losing it costs new clients on the next run (the
 * old ones stay registered, unused); everything else is found again through the API.
 */
export interface DemoState {
  hub: string;
  clients: Record<string, ApiClientKey>;
  webhookSecrets: Record<string, string>;
}

export function stateFileFor(dataDir: string, hubUrl: string): string {
  const url = new URL(hubUrl);
  return path.resolve(dataDir, `demo-${url.hostname}-${url.port || (url.protocol === 'https:' ? 443 : 80)}.json`);
}

export async function loadState(file: string, hub: string): Promise<DemoState> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as DemoState;
    if (parsed.hub === hub && parsed.clients && parsed.webhookSecrets) return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(error as Error).message}; delete it to start over`);
  }
  return { hub, clients: {}, webhookSecrets: {} };
}

export async function saveState(file: string, state: DemoState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
