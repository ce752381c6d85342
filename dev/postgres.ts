import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { INSTALL_HINT, type PrivateServer, debianPgBinDirs, findBinary, freePort, pidAlive, run, tcpAnswers, waitFor } from './proc.js';

const DATABASE = 'hub';

/**
 * A private PostgreSQL cluster in `<dataDir>/pg`, for machines with no server on 5432.
 * It keeps running after this process exits, so the next start reuses it (read back from
 * `postmaster.pid`, which PostgreSQL itself keeps current) instead of paying for a start again.
 */
export async function startPrivatePostgres(dataDir: string, log: (msg: string) => void, opts: { port?: number } = {}): Promise<PrivateServer> {
  const pgDir = path.resolve(dataDir, 'pg');
  const logFile = path.resolve(dataDir, 'pg.log');
  const runningPort = await runningPostgresPort(pgDir);
  if (runningPort !== undefined) {
    log(`reusing private PostgreSQL on 127.0.0.1:${runningPort} (${pgDir})`);
    return server(pgDir, runningPort, true);
  }

  const bins = debianPgBinDirs();
  const initdb = findBinary('initdb', bins);
  const pgCtl = findBinary('pg_ctl', bins);
  if (!initdb || !pgCtl) {
    throw new Error(`nothing answers on 127.0.0.1:5432 and initdb/pg_ctl were not found to start a private PostgreSQL: ${INSTALL_HINT}`);
  }
  const asUser = await serverUser(dataDir, pgDir, logFile);

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising a private PostgreSQL cluster in ${pgDir}`);
    // Trust auth is fine: the server listens on 127.0.0.1 only and has no Unix socket (below).
    const res = await run(...asUser(initdb, ['-D', pgDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8']));
    if (res.code !== 0) throw new Error(`initdb failed:\n${res.output}${rootHint()}`);
  }

  // A given port lets a caller (the fault tests) restart the server where its clients expect it.
  const port = opts.port ?? (await freePort());
  // `-k ''` turns Unix sockets off: clients use TCP, and a long dataDir path cannot overflow the
  // 107-byte socket path limit, nor does the server need write access to a shared socket directory.
  const options = `-p ${port} -k '' -c listen_addresses=127.0.0.1`;
  const res = await run(...asUser(pgCtl, ['-D', pgDir, '-o', options, '-l', logFile, '-t', '60', 'start', '-w']));
  if (res.code !== 0) throw new Error(`pg_ctl start failed (see ${logFile}):\n${res.output}\n${await tail(logFile)}${rootHint()}`);
  log(`started private PostgreSQL on 127.0.0.1:${port} (data ${pgDir}, log ${logFile})`);

  // The hub would create its database too, but a URL that works on its own is easier to use.
  const sql = postgres({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT 1 FROM pg_database WHERE datname = ${DATABASE}`;
    if (!row) await sql.unsafe(`CREATE DATABASE ${DATABASE}`).catch((e: { code?: string }) => {
      if (e.code !== '42P04') throw e; // another process created it first
    });
  } finally {
    await sql.end();
  }
  return server(pgDir, port, false);
}

function server(pgDir: string, port: number, reused: boolean): PrivateServer {
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
    port,
    reused,
    stop: () => stopPrivatePostgres(pgDir),
  };
}

export async function stopPrivatePostgres(pgDir: string): Promise<void> {
  if (!existsSync(path.join(pgDir, 'postmaster.pid'))) return;
  const pgCtl = findBinary('pg_ctl', debianPgBinDirs());
  if (!pgCtl) return;
  const asUser = isRoot() ? withPostgresUser : (cmd: string, args: string[]) => [cmd, args] as const;
  // Fast mode: roll back open transactions instead of waiting for clients to disconnect.
  const res = await run(...asUser(pgCtl, ['-D', pgDir, 'stop', '-m', 'fast', '-w', '-t', '30']));
  if (res.code !== 0 && existsSync(path.join(pgDir, 'postmaster.pid'))) throw new Error(`pg_ctl stop failed:\n${res.output}`);
}

/** The port in postmaster.pid (line 4), if that server answers. */
async function runningPostgresPort(pgDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, , , portLine] = text.split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  if (await tcpAnswers(port)) return port;
  if (!Number.isInteger(pid) || !pidAlive(pid)) return undefined; // stale file from a crash: pg_ctl copes
  // Alive but silent: most likely another hub process is starting it right now.
  if (await waitFor(() => tcpAnswers(port), 15_000, 250)) return port;
  throw new Error(
    `a PostgreSQL (pid ${pid}) holds ${pgDir} but does not answer on 127.0.0.1:${port}; ` +
      `stop it (pg_ctl -D ${pgDir} stop) and start again`,
  );
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function withPostgresUser(cmd: string, args: string[]): readonly [string, string[]] {
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

/**
 * initdb and postgres refuse to run as root. As root we run them as the `postgres` OS user,
 * which must own the cluster directory and the log file and be able to reach dataDir.
 */
async function serverUser(dataDir: string, pgDir: string, logFile: string) {
  await mkdir(pgDir, { recursive: true, mode: 0o700 });
  if (!existsSync(logFile)) await writeFile(logFile, '', { mode: 0o600 });
  if (!isRoot()) return (cmd: string, args: string[]) => [cmd, args] as const;

  const ids = postgresIds();
  if (!ids || !findBinary('runuser', ['/usr/sbin', '/sbin'])) {
    throw new Error(
      'running as root: PostgreSQL will not run as root and there is no `postgres` OS user (or no runuser) to run it as. ' +
        `Run as a normal user, ${INSTALL_HINT}, or set DATABASE_URL.`,
    );
  }
  await chown(pgDir, ids.uid, ids.gid);
  await chown(logFile, ids.uid, ids.gid);
  // Traverse-only for others: the postgres user must pass through dataDir, but need not list it
  // (keys.json stays 0600 and root-owned).
  const mode = (await stat(dataDir)).mode & 0o777;
  if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o011);
  return withPostgresUser;
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

function rootHint(): string {
  return isRoot()
    ? '\n(running as root: the server runs as the `postgres` user, which needs execute permission on every parent directory of the data dir)'
    : '';
}

async function tail(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
