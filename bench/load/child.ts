/**
 * The load generator's own process: it gets one job over IPC, runs it, sends the result back and
 * exits, so that sending and timing never share an event loop with the hub or the orchestrator.
 */
import { closedLoop } from './closed-loop.js';
import { openLoop } from './open-loop.js';
import type { LoadJob } from './plan.js';

process.once('message', (job: LoadJob) => {
  const run = job.kind === 'closed' ? closedLoop(job) : openLoop(job);
  run.then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (error: Error) => process.send!({ error: error.stack ?? error.message }, () => process.exit(1)),
  );
});
