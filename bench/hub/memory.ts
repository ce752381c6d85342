import { readFileSync } from 'node:fs';

/** Resident memory of a process from /proc/<pid>/status, in MB: now (VmRSS) and its peak so far (VmHWM). */
export function readRss(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined; // the process has gone
  }
}

/** Samples VmRSS of each pid every `intervalMs` until stopped; returns the highest seen per pid. */
export function sampleRss(pids: Record<string, number>, intervalMs = 200): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = {};
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const rss = readRss(pid);
      if (rss) peaks[name] = Math.max(peaks[name] ?? 0, rss.rssMb);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}
