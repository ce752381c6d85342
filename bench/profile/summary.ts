/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks where the time went: the
 * functions with the most self time, and the same time summed per package (a dependency under
 * node_modules, the hub's own folders, or Node's internals). `--profile` prints this for the
 * gateway; it also runs alone: `npx tsx bench/profile/summary.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Time on the CPU (idle left out); shares are of this. */
  totalMs: number;
  idleMs: number;
  functions: { name: string; where: string; selfMs: number; share: number }[];
  packages: { name: string; selfMs: number; share: number }[];
}

/** Where a frame's code lives: `pkg` for node_modules/pkg, `hub:<folder>` for ours, `node:` internals, `(vm)` for idle/GC/program. */
export function packageOf(url: string): string {
  if (!url) return '(vm)';
  if (url.startsWith('node:')) return 'node:internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const file = url.replace(/^file:\/\//, '');
  const folder = file.split('/').slice(-2, -1)[0] ?? file;
  return `hub:${folder}`;
}

export function summarise(profile: CpuProfile, top = 25): ProfileSummary {
  // Self time per node: each sample is charged its following time delta (as DevTools does).
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + delta);
  }
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byPackage = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${path.basename(url)}:${lineNumber + 1}` : '';
    const key = `${functionName}@${url}:${lineNumber}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where: `${packageOf(url)} ${where}`.trim(), us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const pkg = packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const share = (us: number) => (totalUs > 0 ? us / totalUs : 0);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    functions: [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, share: share(f.us) })),
    packages: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, selfMs: us / 1000, share: share(us) })),
  };
}

export function formatSummary(title: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${title}: ${(s.totalMs / 1000).toFixed(1)} s on the CPU (${(s.idleMs / 1000).toFixed(1)} s idle left out)`, '  self time by package:'];
  for (const p of s.packages) lines.push(`    ${pct(p.share)}  ${p.name}`);
  lines.push('  top functions by self time:');
  for (const f of s.functions) lines.push(`    ${pct(f.share)}  ${f.name}  (${f.where})`);
  return lines.join('\n');
}

export function summariseFile(file: string, top = 25): ProfileSummary {
  return summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx bench/profile/summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(path.basename(file), summariseFile(file, top ? Number(top) : 25))}\n`);
}
