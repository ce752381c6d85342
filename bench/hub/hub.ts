import { readFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { freePort } from '../../dev/proc.js';
import { REPO_ROOT, startProcess, type BenchProcess } from './processes.js';

/** The Node flags the hub runs with, as `npm start` and the Docker image pass them (package.json, config.nodeFlags). */
const HUB_NODE_FLAGS = String(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).config.nodeFlags).split(' ').filter(Boolean);

export interface HubSettings {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  /** HUB_SIGNING_JWKS, HUB_DATA_KEYS, HUB_ADMIN_JWKS. */
  keyEnv: Record<string, string>;
  /** With `--profile`: the gateways and the worker run under `node --cpu-prof` and write their profiles here at exit. */
  profileDir?: string | undefined;
}

export interface RunningHubProcesses {
  gateways: BenchProcess[];
  worker: BenchProcess;
  /** The URL clients use (token audience): the first gateway's. */
  publicUrl: string;
  origins(): string[];
  addGateway(): Promise<BenchProcess>;
  removeGateway(gateway: BenchProcess): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The hub as production runs it: NODE_ENV=production, its Node flags, one worker process and
 * gateway processes apart, on the run's own database and queue prefix. Private webhook targets are
 * allowed (the partners are on loopback) and the per-client rate limit is off, so the limiter
 * does not cap the load being measured.
 */
export async function startHubProcesses(settings: HubSettings): Promise<RunningHubProcesses> {
  const firstPort = await freePort();
  const publicUrl = `http://127.0.0.1:${firstPort}`;
  const env = (role: 'gateway' | 'worker', port: number): Record<string, string> => ({
    NODE_ENV: 'production',
    HUB_ROLE: role,
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    HUB_PUBLIC_URL: publicUrl,
    HUB_ALLOW_PRIVATE_TARGETS: 'true',
    HUB_RATE_LIMIT_RPS: '0',
    HUB_QUEUE_PREFIX: settings.queuePrefix,
    LOG_LEVEL: 'info',
    ...settings.keyEnv,
  });
  // On the hub process itself: NODE_OPTIONS refuses --cpu-prof. The profiles are written when it
  // exits (SIGTERM drains, then exits 0), one per thread (tsx's loader runs in its own), so each
  // process gets a folder of its own and keeps Node's default names.
  const profiled = (folder: string) => (settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(settings.profileDir, folder)}`] : []);
  const startGateway = async (port: number) => {
    const gateway = await startProcess(`gateway:${port}`, 'bin/hub.ts', env('gateway', port), (out) => out.includes('"gateway listening"') && port, 60_000, [...HUB_NODE_FLAGS, ...profiled(`gateway-${port}`)]);
    await waitReady(`http://127.0.0.1:${port}`);
    return gateway;
  };

  // The first gateway runs the migrations; the worker starts on a migrated database.
  const gateways = [await startGateway(firstPort)];
  const worker = await startProcess('worker', 'bin/hub.ts', env('worker', 0), (out) => out.includes('"workers running"'), 60_000, [...HUB_NODE_FLAGS, ...profiled('worker')]);
  return {
    gateways,
    worker,
    publicUrl,
    origins: () => gateways.map((g) => `http://127.0.0.1:${g.port}`),
    async addGateway() {
      const gateway = await startGateway(await freePort());
      gateways.push(gateway);
      return gateway;
    },
    async removeGateway(gateway) {
      gateways.splice(gateways.indexOf(gateway), 1);
      await gateway.stop();
    },
    async stop() {
      await Promise.all([...gateways, worker].map((p) => p.stop()));
    },
  };
}

async function waitReady(origin: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await request(`${origin}/readyz`);
      await response.body.text();
      if (response.statusCode === 200) return;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`${origin}/readyz did not answer 200 within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
