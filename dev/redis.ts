import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { INSTALL_HINT, type PrivateServer, findBinary, freePort, pidAlive, run, waitFor } from './proc.js';

/**
 * A private Redis in `<dataDir>/redis`, for machines with no server on 6379. Like the private
 * PostgreSQL it outlives this process and is reused by the next start: Redis records only its pid,
 * so we keep the port next to it in redis.port.
 */
export async function startPrivateRedis(dataDir: string, log: (msg: string) => void): Promise<PrivateServer> {
  const dir = path.resolve(dataDir, 'redis');
  const pidFile = path.join(dir, 'redis.pid');
  const portFile = path.join(dir, 'redis.port');
  const logFile = path.join(dir, 'redis.log');

  const running = await runningRedis(pidFile, portFile);
  if (running) {
    log(`reusing private Redis on 127.0.0.1:${running} (${dir})`);
    return server(dir, running, true);
  }

  const bin = findBinary('redis-server', ['/usr/bin', '/usr/sbin', '/usr/local/bin']);
  if (!bin) throw new Error(`nothing answers on 127.0.0.1:6379 and redis-server was not found to start a private one: ${INSTALL_HINT}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await rm(pidFile, { force: true }); // a stale pid from a crash must not pass for the new server's

  const port = await freePort();
  // AOF and noeviction: without them BullMQ jobs can silently vanish (docs/operations.md, "Redis").
  const res = await run(bin, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'yes',
    '--pidfile', pidFile,
    '--logfile', logFile,
  ]);
  if (res.code !== 0) throw new Error(`redis-server failed to start:\n${res.output}`);
  // --daemonize returns before the server listens (and before a bad port shows up in its log).
  if (!(await waitFor(async () => (await ping(port)) === '+PONG', 15_000))) {
    const logText = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`private Redis did not answer PING on 127.0.0.1:${port} (see ${logFile}):\n${logText.split('\n').slice(-15).join('\n')}`);
  }
  await writeFile(portFile, `${port}\n`);
  log(`started private Redis on 127.0.0.1:${port} (data ${dir})`);
  return server(dir, port, false);
}

function server(dir: string, port: number, reused: boolean): PrivateServer {
  return { url: `redis://127.0.0.1:${port}`, port, reused, stop: () => stopPrivateRedis(dir) };
}

export async function stopPrivateRedis(dir: string): Promise<void> {
  const pid = await readNumber(path.join(dir, 'redis.pid'));
  if (pid === undefined || !pidAlive(pid)) return;
  // SIGTERM makes Redis flush the AOF and exit cleanly; it removes its own pidfile.
  process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !pidAlive(pid), 15_000))) throw new Error(`private Redis (pid ${pid}) did not stop`);
  await rm(path.join(dir, 'redis.port'), { force: true });
}

async function runningRedis(pidFile: string, portFile: string): Promise<number | undefined> {
  const pid = await readNumber(pidFile);
  const port = await readNumber(portFile);
  if (pid === undefined || port === undefined || !pidAlive(pid)) return undefined;
  // Nothing answering means a stale pidfile (say, after a reboot): start a new server at once.
  if ((await ping(port)) === undefined) return undefined;
  // -LOADING (a big AOF being replayed) still means it is our server, just not ready yet.
  const ok = await waitFor(async () => (await ping(port)) === '+PONG', 30_000);
  return ok ? port : undefined;
}

async function readNumber(file: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The first reply line to an inline PING, or undefined if nothing answers. */
export function ping(port: number, timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | undefined) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.includes('\r\n')) done(data.split('\r\n')[0]);
    });
  });
}
