import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Spread } from './lib/stats.js';

/** One line of the results table: a figure over rounds, and the target it is judged against. */
export interface Row {
  name: string;
  unit: string;
  value: Spread;
  target?: string;
  /** Judged on the median; undefined when no target applies. */
  met?: boolean;
  note?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  postgres: string;
  redis: string;
  os: string;
}

export function machine(versions: { postgres: string; redis: string }): Machine {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, postgres: versions.postgres, redis: versions.redis, os: `${os.type()} ${os.release()}` };
}

const fmt = (v: number, unit: string) => {
  if (!Number.isFinite(v)) return v === Number.POSITIVE_INFINITY ? 'not all arrived' : '–';
  if (unit === '×' || unit === 's') return v.toFixed(unit === '×' ? 3 : 1);
  if (unit === 'ms CPU') return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
};

export function table(rows: Row[]): string {
  const lines = ['| Measurement | unit | min | median | max | target | met |', '| --- | --- | ---: | ---: | ---: | --- | --- |'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? 'met' : '**missed**';
    lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${r.unit} | ${fmt(r.value.min, r.unit)} | ${fmt(r.value.median, r.unit)} | ${fmt(r.value.max, r.unit)} | ${r.target ?? ''} | ${met} |`);
  }
  return lines.join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.os}; Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}`;
}

/** Writes bench/results/<date>.json and <date>.md; returns their paths. */
export async function writeResults(dir: string, date: string, m: Machine, rows: Row[], raw: unknown, header: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, `${date}.json`);
  const md = path.join(dir, `${date}.md`);
  await writeFile(json, `${JSON.stringify({ date, machine: m, rows, raw }, null, 2)}\n`);
  await writeFile(md, `# Benchmark ${date}\n\nMachine: ${machineLine(m)}.\n\n${header}\n\n${table(rows)}\n`);
  return [json, md];
}
