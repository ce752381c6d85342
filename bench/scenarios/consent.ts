import { spawn } from 'node:child_process';
import type { ConsentResult } from '../consent.js';
import { REPO_ROOT } from '../hub/processes.js';

/** B4 in its own process (the engine in process, one core), so nothing else shares its thread. */
export function measureConsentInChild(rounds: number, roundMs: number): Promise<ConsentResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/consent.ts', '--json', '--rounds', String(rounds), '--ms', String(roundMs)], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ConsentResult[]);
      else reject(new Error(`bench/consent.ts exited with ${code}`));
    });
  });
}
