import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** The by-id look-ups of rows that belong to an organisation: reachable only through a scope. */
const RAW_LOOKUPS = ['getParticipant', 'getParticipantRef', 'searchParticipants', 'getReferral', 'getConsent', 'listConsents'];
/** Folders whose code acts for a caller (requests, and the services they call). */
const CALLER_FACING = ['gateway', 'services'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') || path.endsWith('.tsx') ? [path] : [];
  });
}

/** The names a file imports from modules under store/, import statement by import statement. */
function storeImports(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    if (!/(^|\/)store\//.test(m[2]!)) continue;
    for (const part of m[1]!.split(',')) names.push(part.replace(/^\s*type\s+/, '').split(/\s+as\s+/)[0]!.trim());
  }
  return names;
}

describe('the tenancy boundary', () => {
  it('no route or service looks up a participant, referral or consent by id except through store.scopedTo or the explicitly named unscoped handle', () => {
    const offenders: string[] = [];
    for (const folder of CALLER_FACING) {
      for (const file of sources(join(ROOT, folder))) {
        const raw = storeImports(readFileSync(file, 'utf8')).filter((name) => RAW_LOOKUPS.includes(name));
        if (raw.length > 0) offenders.push(`${relative(ROOT, file)}: ${raw.join(', ')}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('would catch a new route that reaches for a raw look-up', () => {
    const route = "import { getParticipant } from '../../store/participants.js';\nimport { scopedTo } from '../../store/scoped.js';";
    expect(storeImports(route).filter((name) => RAW_LOOKUPS.includes(name))).toEqual(['getParticipant']);
  });
});
