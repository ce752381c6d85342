import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cpuMeter, pidsNamed, processCpuMs } from '../../bench/hub/cpu.js';

/**
 * The bench's CPU per request comes from these readings of /proc: a process it names must be
 * charged with the CPU it burned between start and stop, and the machine with at least as much.
 */

/** A process that idles until told, then burns 300 ms of CPU, says so and idles again. */
const BURNER = `
  process.title = 'hub-cpu-burner';
  process.stdin.once('data', () => {
    // User and system: each cpuUsage() is a system call, and the loop makes millions of them.
    const start = process.cpuUsage();
    for (let used = process.cpuUsage(start); used.user + used.system < 300_000; used = process.cpuUsage(start)) {}
    process.stdout.write('burned\\n');
  });
  process.stdout.write('ready\\n');`;

describe('the bench CPU meter', () => {
  it('charges a named process with the CPU it burned while metered, and the machine with at least as much', async () => {
    const child = spawn(process.execPath, ['-e', BURNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const said = (word: string) => new Promise<void>((resolve) => {
        const listen = (chunk: Buffer) => {
          if (chunk.toString().includes(word)) {
            child.stdout!.off('data', listen);
            resolve();
          }
        };
        child.stdout!.on('data', listen);
      });
      await said('ready');
      // Named by pid, and by command name as the bench names PostgreSQL's processes.
      const meter = cpuMeter({ burner: child.pid! }, { burners: 'hub-cpu-burner' });
      const burned = said('burned');
      child.stdin!.write('go\n');
      await burned;
      const used = meter.stop();
      // 300 ms of CPU, read in 10 ms ticks, plus the little it takes to answer.
      expect(used.burner).toBeGreaterThanOrEqual(280);
      expect(used.burner).toBeLessThan(600);
      expect(used.burners).toBe(used.burner);
      // The machine's counters are sampled per tick on each core, so allow a few ticks either way.
      expect(used.machine).toBeGreaterThanOrEqual(used.burner! - 50);
      expect(used.steal).toBeGreaterThanOrEqual(0);
    } finally {
      child.kill();
    }
  });

  it('reads nothing for a process that has gone', async () => {
    const child = spawn(process.execPath, ['-e', "process.title = 'hub-cpu-gone'"]);
    await once(child, 'exit');
    expect(processCpuMs(child.pid!)).toBeUndefined();
    expect(pidsNamed('hub-cpu-gone')).toEqual([]);
  });
});
