import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchProcess {
  name: string;
  pid: number;
  /** The port it listens on, for HTTP processes. */
  port: number | undefined;
  /** The last few KB of its output, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point as its own Node process (tsx as a loader, so the pid is Node
 * itself and /proc shows its memory) and waits until `ready` recognises its output. Output is
 * kept only as a short tail: a long run must not pile logs up in memory.
 */
export async function startProcess(name: string, entry: string, env: Record<string, string>, ready: (output: string) => number | boolean, timeoutMs = 60_000, nodeArgs: string[] = []): Promise<BenchProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let port: number | undefined;
  let isReady = false;
  const onData = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
    if (!isReady) {
      const answer = ready(tail);
      if (answer !== false) {
        isReady = true;
        if (typeof answer === 'number') port = answer;
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!isReady) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name,
    pid: child.pid!,
    port,
    tail: () => tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A floor app announces `{"ready":true,"port":N}` on stdout. */
export const floorReady = (output: string): number | false => {
  const match = /\{"ready":true,"port":(\d+)\}/.exec(output);
  return match ? Number(match[1]) : false;
};
