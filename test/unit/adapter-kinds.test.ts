import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADAPTER_TYPES, AdapterInput, adapterKind, capabilitiesOf, kindsThat, noticeTokenMatches, pollEverySeconds, prepareAdapter, showAdapter } from '../../adapters/index.js';
import { parseDataKeys } from '../../crypto/data-keys.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** The hub's own code (what `npm run lint:deps` cruises), where a kind's name must not decide anything. */
const PRODUCTION = ['bin', 'bench', 'dev', 'runtime', 'gateway', 'workers', 'services', 'store', 'consent', 'domain', 'schemas', 'crypto', 'db', 'lib', 'config'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The places in `text` where a kind's name is compared (`=== 'fhir'`, `'portal' !==`, `case
 * 'webhook':`, SQL `= 'fhir'`): code that would have to change when a kind is added.
 */
function kindComparisons(text: string, kinds: readonly string[]): string[] {
  const name = `['"\`](${kinds.join('|')})['"\`]`;
  const compared = new RegExp(`(?:[!=]?==?|\\bcase)\\s*${name}|${name}\\s*(?:[!=]?==?(?!>))`, 'g');
  return [...text.matchAll(compared)].map((m) => m[0]);
}

describe('an adapter owns its kind', () => {
  it('the detector finds the comparisons it is looking for', () => {
    const planted = "if (a.type === 'fhir') x(); if ('portal' !== t) y(); switch (t) { case 'webhook': } sql`WHERE adapter->>'type' = 'fhir'`; const o = { type: 'portal' };";
    expect(kindComparisons(planted, ADAPTER_TYPES)).toEqual(["=== 'fhir'", "'portal' !==", "case 'webhook'", "= 'fhir'"]);
  });

  it('no file outside adapters/ compares a kind’s name: they read its capabilities', () => {
    const offenders: string[] = [];
    for (const folder of PRODUCTION) {
      for (const file of sources(join(ROOT, folder))) {
        const found = kindComparisons(readFileSync(file, 'utf8'), ADAPTER_TYPES);
        if (found.length > 0) offenders.push(`${relative(ROOT, file)}: ${found.join(', ')}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('code outside adapters/ uses what adapters/index.ts exports, never a kind’s folder', () => {
    const offenders: string[] = [];
    for (const folder of PRODUCTION) {
      for (const file of sources(join(ROOT, folder))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'([^']*\/adapters\/[^']+)'/g)) {
          if (!m[1]!.endsWith('/adapters/index.js')) offenders.push(`${relative(ROOT, file)}: ${m[1]}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('lists each kind once, and every kind declares the whole contract', () => {
    expect(new Set(ADAPTER_TYPES).size).toBe(ADAPTER_TYPES.length);
    expect([...ADAPTER_TYPES].sort()).toEqual(['fhir', 'portal', 'webhook']);
    for (const type of ADAPTER_TYPES) {
      const kind = adapterKind(type);
      expect(kind.type).toBe(type);
      if (kind.capabilities.polls) expect(kind.pollEverySeconds, `${type} polls`).toBeTypeOf('function');
      if (kind.capabilities.takesNotices) expect(kind.noticeTokenMatches, `${type} takes notices`).toBeTypeOf('function');
    }
    expect(() => adapterKind('carrier-pigeon')).toThrow(/unknown partner adapter type: carrier-pigeon/);
  });

  it('answers what each kind does, as deliveries, polls, notices and SLA notices rely on', () => {
    expect(kindsThat('pushes').sort()).toEqual(['fhir', 'webhook']);
    expect(kindsThat('polls')).toEqual(['fhir']);
    expect(kindsThat('takesNotices')).toEqual(['fhir']);
    expect(kindsThat('receivesReferrerNotices')).toEqual(['webhook']);
    expect(capabilitiesOf({ type: 'portal' })).toEqual({ pushes: false, polls: false, takesNotices: false, receivesReferrerNotices: false });
  });
});

describe('preparing an adapter setting', () => {
  const keyring = parseDataKeys(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
  const prepare = (input: unknown) => prepareAdapter(AdapterInput.parse(input), { keyring, allowPrivate: false });

  it('webhook: generates a secret when none is given, shows it once, keeps only the URL in the clear', async () => {
    const p = await prepare({ type: 'webhook', url: 'https://93.184.215.14/hooks' });
    expect(p.stored).toEqual({ type: 'webhook', url: 'https://93.184.215.14/hooks' });
    expect(p.shownOnce.webhookSecret).toMatch(/^whsec_/);
    expect(await keyring.decrypt(p.secretJwe!)).toEqual({ webhookSecret: p.shownOnce.webhookSecret });
    expect(showAdapter(p.stored)).toEqual({ type: 'webhook', url: 'https://93.184.215.14/hooks' });
  });

  it('webhook: a given secret is stored encrypted and not shown back', async () => {
    const secret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const p = await prepare({ type: 'webhook', url: 'https://93.184.215.14/hooks', secret });
    expect(p.shownOnce).toEqual({});
    expect(await keyring.decrypt(p.secretJwe!)).toEqual({ webhookSecret: secret });
    expect(JSON.stringify(p.stored)).not.toContain(secret);
  });

  it('fhir: the bearer token is encrypted, never stored or shown in the clear; a notify token is generated and matches', async () => {
    const p = await prepare({ type: 'fhir', baseUrl: 'https://93.184.215.14/fhir', auth: { type: 'bearer', token: 'tok-secret-1' } });
    expect(p.stored).toEqual({ type: 'fhir', baseUrl: 'https://93.184.215.14/fhir', auth: { type: 'bearer' }, pollIntervalSeconds: 30 });
    expect(showAdapter(p.stored)).toEqual({ type: 'fhir', baseUrl: 'https://93.184.215.14/fhir', auth: { type: 'bearer' }, pollIntervalSeconds: 30 });
    const secrets = await keyring.decrypt<object>(p.secretJwe!);
    expect(secrets).toEqual({ fhirToken: 'tok-secret-1', fhirNotifyToken: p.shownOnce.notifyToken });
    expect(noticeTokenMatches(p.stored, secrets, p.shownOnce.notifyToken!)).toBe(true);
    expect(noticeTokenMatches(p.stored, secrets, `${p.shownOnce.notifyToken}x`)).toBe(false);
    expect(pollEverySeconds(p.stored)).toBe(30);
  });

  it('checks every URL the hub will call, naming the field: a SMART token endpoint too', async () => {
    await expect(prepare({ type: 'webhook', url: 'http://127.0.0.1:9/hooks' })).rejects.toMatchObject({ status: 400, errors: [{ path: 'adapter.url' }] });
    await expect(prepare({ type: 'fhir', baseUrl: 'https://93.184.215.14/fhir', auth: { type: 'smart', tokenUrl: 'http://169.254.169.254/token', clientId: 'hub' } }))
      .rejects.toMatchObject({ status: 400, errors: [{ path: 'adapter.auth.tokenUrl' }] });
  });

  it('portal: nothing to check, nothing secret', async () => {
    expect(await prepare({ type: 'portal' })).toEqual({ stored: { type: 'portal' }, secretJwe: null, shownOnce: {} });
    expect(noticeTokenMatches({ type: 'portal' }, {}, 'anything')).toBe(false);
    expect(pollEverySeconds({ type: 'portal' })).toBeUndefined();
  });
});
