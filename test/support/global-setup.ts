import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * One temporary folder per test run, removed when the run ends. Tests keep private keys, webhook
 * logs and private database servers in temporary folders; pointing TMPDIR here before any test
 * worker or hub process starts puts everything they create (os.tmpdir(), mktemp) inside it, so
 * nothing is left in the machine's /tmp, whichever test made it and however it ended.
 */
export async function setup(): Promise<() => Promise<void>> {
  const runDir = await mkdtemp(path.join(tmpdir(), 'hub-test-run-'));
  // Others may pass through but not list it: a private PostgreSQL started by a test runs as the
  // `postgres` user and must reach its data folder below (each test's own folder stays 0700).
  await chmod(runDir, 0o711);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = runDir;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(runDir, { recursive: true, force: true });
  };
}
