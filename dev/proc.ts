import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';

/** Small process and network helpers shared by dev/postgres.ts and dev/redis.ts. */

export const INSTALL_HINT =
  'install them with `apt-get install -y postgresql redis-server` (as root or with sudo), ' +
  'or use Docker instead: `docker compose up` (see docker-compose.yml; its postgres and redis are also ' +
  'published on 127.0.0.1:55432 and 127.0.0.1:56379 for DATABASE_URL / REDIS_URL)';

export interface PrivateServer {
  url: string;
  port: number;
  /** True when a server that an earlier call started was found running and reused. */
  reused: boolean;
  stop(): Promise<void>;
}

/** Looks on PATH first, then in `extraDirs` (Debian keeps initdb/pg_ctl out of PATH). */
export function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** `/usr/lib/postgresql/<major>/bin`, newest major first. */
export function debianPgBinDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

/**
 * Runs a command and collects its output. Resolves on 'exit', not 'close': a server that the
 * command daemonizes might keep inherited pipes open, and we must not wait for it to exit.
 */
export function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      // Give buffered output a moment to arrive, then stop listening so daemons are not kept attached.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code: code ?? 1, output: output.trim() });
      }, 50);
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function tcpAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port the kernel just handed out; another process could take it before we bind, but rarely does. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (a postgres-owned server seen by a non-root user).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A daemon that exited stays a zombie until PID 1 reaps it, which some container inits do
  // late or never; kill(pid, 0) still succeeds on a zombie, so ask /proc (Linux) for its state.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self/stat'); // no /proc at all (macOS): trust kill()
  }
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
