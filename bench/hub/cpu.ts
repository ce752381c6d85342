import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux reports CPU time in clock ticks of USER_HZ, which the kernel fixes at 100 for every
 * userspace interface whatever its own tick rate (`getconf CLK_TCK` says 100 on x86 and arm).
 */
const MS_PER_TICK = 10;

/** CPU a process has used so far, user and system, all its threads, in ms; undefined once it has gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK; // utime, stime (fields 14, 15)
  } catch {
    return undefined;
  }
}

/**
 * The machine's CPU so far, in ms summed over its cores: `busy` is every state but idle, I/O wait
 * and steal; `steal` is time the hypervisor gave to other guests while this one wanted to run,
 * which says how far a run's figures were slowed by neighbours rather than by the hub.
 */
export function machineCpuMs(): { busy: number; steal: number } {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user! + nice! + system! + irq! + softirq!) * MS_PER_TICK, steal: steal! * MS_PER_TICK };
}

/** The pids of every process on this machine whose command name (/proc/<pid>/comm) is `comm`. */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/** CPU so far of each process named `comm`, by pid. */
const cpuOfNamed = (comm: string) => new Map(pidsNamed(comm).map((pid) => [pid, processCpuMs(pid) ?? 0]));

/**
 * CPU ms used between `start` and `stop`: each named process's; each service's, summed over every
 * process with its command name (PostgreSQL's server and backends, say: a backend that starts in
 * between counts from zero, one that exits in between is missed); the whole machine's
 * (`machine`) and the steal (`steal`).
 */
export function cpuMeter(pids: Record<string, number>, services: Record<string, string> = {}): { stop(): Record<string, number> } {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  const servicesBefore = Object.fromEntries(Object.entries(services).map(([name, comm]) => [name, cpuOfNamed(comm)]));
  const machineBefore = machineCpuMs();
  return {
    stop() {
      const used: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) used[name] = (processCpuMs(pid) ?? Number.NaN) - (before[name] ?? Number.NaN);
      for (const [name, comm] of Object.entries(services)) {
        used[name] = 0;
        for (const [pid, ms] of cpuOfNamed(comm)) used[name] += ms - (servicesBefore[name]!.get(pid) ?? 0);
      }
      const machine = machineCpuMs();
      used.machine = machine.busy - machineBefore.busy;
      used.steal = machine.steal - machineBefore.steal;
      return used;
    },
  };
}
