import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADVISORY_LOCKS, CHANNELS } from '../../db/coordination.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCTION = ['bin', 'runtime', 'gateway', 'workers', 'services', 'adapters', 'store', 'consent', 'domain', 'schemas', 'crypto', 'db', 'lib', 'config'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('advisory locks and channels', () => {
  it('gives every lock its own number', () => {
    const keys = Object.values(ADVISORY_LOCKS);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('names the audit chain’s lock as the trigger of migration 001 takes it', () => {
    // Applied migrations are never edited, so the SQL keeps its literal; this keeps the two equal.
    const sql = readFileSync(join(ROOT, 'db', 'migrations', '001_init.sql'), 'utf8');
    const trigger = sql.slice(sql.indexOf('CREATE FUNCTION audit_chain()'));
    expect(trigger.match(/pg_advisory_xact_lock\((\d+)\)/)?.[1]).toBe(String(ADVISORY_LOCKS.auditChain));
  });

  it('gives every channel its own name', () => {
    const names = Object.values(CHANNELS);
    expect(new Set(names).size).toBe(names.length);
  });

  it('is the only code that spells a lock number or a channel name', () => {
    const literals = new RegExp(`\\b(${Object.values(ADVISORY_LOCKS).join('|')})\\b|['"\`](${Object.values(CHANNELS).join('|')})['"\`]`, 'g');
    const offenders = PRODUCTION.flatMap((folder) => sources(join(ROOT, folder)))
      .filter((file) => !file.endsWith(join('db', 'coordination.ts')))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(literals)].map((m) => `${relative(ROOT, file)}: ${m[0]}`));
    expect(offenders).toEqual([]);
  });
});
