import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClosedLoopJob, ClosedLoopResult, LoadJob, OpenLoopJob, OpenLoopResult } from './plan.js';

export type { ClosedLoopJob, ClosedLoopResult, OpenLoopJob, OpenLoopResult, RequestPlan } from './plan.js';

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * IPC carries JSON, which turns Infinity ("never arrived within the window") into null; without
 * this, a comparison such as `p99 <= 250` would read null as 0 and call a miss a success.
 */
function reviveInfinity(result: OpenLoopResult): OpenLoopResult {
  const revived = { ...result };
  for (const field of ['p50Ms', 'p99Ms', 'maxMs', 'postP99Ms'] as const) revived[field] = result[field] ?? Number.POSITIVE_INFINITY;
  return revived;
}

/** Runs one load job in a fresh child process and returns its result. */
export function runLoad(job: ClosedLoopJob): Promise<ClosedLoopResult>;
export function runLoad(job: OpenLoopJob): Promise<OpenLoopResult>;
export function runLoad(job: LoadJob): Promise<ClosedLoopResult | OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, { execArgv: ['--import', 'tsx'], env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answered = false;
    child.once('message', (message: { result?: ClosedLoopResult | OpenLoopResult; error?: string }) => {
      answered = true;
      if (message.result) resolve(job.kind === 'open' ? reviveInfinity(message.result as OpenLoopResult) : message.result);
      else reject(new Error(`load generator failed: ${message.error}`));
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`load generator exited with ${code} before answering`));
    });
    child.send(job);
  });
}
