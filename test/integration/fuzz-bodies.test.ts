import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { POSTABLE_EVENTS } from '../../domain/referral-workflow.js';
import { RACE_CODES } from '../../schemas/participant.js';
import { DATA_CATEGORIES, ORGANIZATION_KINDS, PURPOSES, REFERRAL_STATUSES, SERVICES } from '../../schemas/vocabulary.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { PUBLIC_URL, startTestHub, type ApiResponse, type TestHub } from '../support/hub.js';
import { agency, deliveredReferral, portalPartner, registerClientKey, rowCounts, type Agency } from '../support/scenario.js';

/**
 * Property-based fuzzing of every JSON body and query string the API takes (issue 5, security
 * item 8). Each generator mixes valid shapes with mutations: wrong types, huge and negative
 * numbers, unicode (NUL, lone surrogates, bidi overrides), deep nesting, prototype-pollution
 * keys, extra and missing fields, long strings under the body limit, arrays for objects.
 *
 * The invariant, for every request: the answer is below 500; a 4xx answer is
 * application/problem+json (an OAuth error body on /oauth/token); a rejected request changes no
 * record (row counts of the main tables, and the targeted record itself); and nothing reaches
 * Object.prototype (the hub runs in this process, so a pollution would show here).
 *
 * The runs are reproducible: a failure prints fast-check's seed and path; FUZZ_SEED=<seed>
 * replays a run, FUZZ_RUNS_FACTOR=<x> scales every endpoint's number of runs.
 */

const BODY_LIMIT = 1024 * 1024;
const RUNS = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS_FACTOR ?? 1)));
const fcOptions = <T>(numRuns: number): fc.Parameters<T> => ({
  numRuns: RUNS(numRuns),
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  // Shrinking replays requests; keep it bounded so a failure reports in seconds, not minutes.
  interruptAfterTimeLimit: 60_000,
  markInterruptAsFailure: false,
});

// ---------------------------------------------------------------------------------------------
// JSON text with parts no JS value can express through JSON.stringify (nesting deeper than the
// serializer's stack), and a serializer that keeps own `__proto__` keys as ordinary members.

class RawJson {
  constructor(readonly text: string) {}
}

function encode(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${encode((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with `key` as an own, enumerable member, even for `__proto__`. */
function define(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
const objectOf = (entries: [string, unknown][]) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) define(o, k, v);
  return o;
};

// ---------------------------------------------------------------------------------------------
// Nasty values.

const NASTY_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '\udc00\ud800', '💥🏳️‍🌈', '\u202eevil', '\ufeff', '\r\n', '\t',
  "' OR '1'='1", '"; DROP TABLE referrals; --', '<script>alert(1)</script>', '../../../etc/passwd', '%00', '${jndi:ldap://x/a}', '{{7*7}}',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'null', 'undefined', 'true', '1e309', '-0', 'NaN', 'Infinity',
  'par_AAAAAAAAAAAAAAAAAAAAAA', 'org_AAAAAAAAAAAAAAAAAAAAAA', 'ref_AAAAAAAAAAAAAAAAAAAAAA', 'con_AAAAAAAAAAAAAAAAAAAAAA', 'par_AAAAAAAAAAAAAAAAAAAAA\u0000',
  '0000-00-00', '0000-06-01', '2024-02-30', '1990-04-12', '2999-01-01', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z',
  '0001-01-01T00:30:00+01:00', '2024-02-30T00:00:00Z', '1970-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z', '2026-01-01T23:59:60Z', '2026-01-01T00:00:00+24:00', '2026-01-01T00:00:00.123456789Z', '2026-01-01',
  'http://169.254.169.254/', 'http://[::1]:80/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://2130706433/', 'https://', 'whsec_',
  `whsec_${'A'.repeat(24)}`, 'Patient/', 'Organization/org_AAAAAAAAAAAAAAAAAAAAAA',
];
const ODD_NUMBERS = [0, -0, -1, 1, 1.5, 0.1, 2 ** 31, -(2 ** 31), 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 3600, 3601, 200, 201, 1e21];
const VOCABULARY = [
  ...ORGANIZATION_KINDS, ...DATA_CATEGORIES, ...PURPOSES, ...SERVICES, ...REFERRAL_STATUSES, ...POSTABLE_EVENTS,
  'admin', 'planner', 'partner', 'compliance', 'webhook', 'fhir', 'portal', 'permit', 'deny', 'consent', 'court_order', 'statute',
];
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];
const MASS_ASSIGNMENT_KEYS = ['status', 'id', 'organizationId', 'createdAt', 'updatedAt', 'deliveredAt', 'role', 'minor', 'webhookSecret', 'notifyToken', 'revokedAt', 'clientId', 'isAdmin'];

/** Single UTF-16 code units, lone surrogates included, weighted towards the troublesome ones. */
const codeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\u202e', '\ufeff', '\u2028', '"', '\\', '\n', 'é', '💥') },
);
const anyString = fc.string({ unit: codeUnit, maxLength: 40 });
/** Long text, still under the 1 MiB body limit (413 is an acceptable answer if it tips over). */
const longString = fc.constantFrom(5_000, 70_000, 300_000).map((bytes) => 'ẋ'.repeat(Math.floor(bytes / 3)));
/** Nesting far beyond what any schema allows, as raw JSON. */
const deepJson = fc
  .tuple(fc.constantFrom(50, 2_000, 20_000, 60_000), fc.constantFrom('array', 'object'))
  .map(([depth, kind]) => new RawJson(kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...POLLUTING_KEYS) },
  { weight: 3, arbitrary: fc.constantFrom(...MASS_ASSIGNMENT_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...VOCABULARY) },
  { weight: 2, arbitrary: anyString },
);
const pollutingPayload = fc.constant({ polluted: 'yes', isAdmin: true, role: 'admin', status: 'delivered' });

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(...ODD_NUMBERS),
  fc.double(), // NaN and infinities serialize as null
  fc.constantFrom(...NASTY_STRINGS),
  fc.constantFrom(...VOCABULARY),
  anyString,
);

const { value: weirdValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(objectOf) },
    { weight: 1, arbitrary: pollutingPayload },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: longString },
  ),
}));

// ---------------------------------------------------------------------------------------------
// Mutations of a valid body.

type Path = (string | number)[];
type Mutation =
  | { op: 'drop'; pick: number }
  | { op: 'set'; pick: number; value: unknown }
  | { op: 'extra'; pick: number; key: string; value: unknown }
  | { op: 'asArray'; pick: number }
  | { op: 'taint'; pick: number; unit: string }
  | { op: 'replace'; value: unknown };

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => v !== null && typeof v === 'object' && !(v instanceof RawJson);

/** Paths of every member of every object and array, depth first. */
function memberPaths(v: unknown, at: Path = []): Path[] {
  if (!isContainer(v)) return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  return keys.flatMap((k) => [[...at, k], ...memberPaths((v as Record<string | number, unknown>)[k], [...at, k])]);
}
function objectPaths(v: unknown, at: Path = []): Path[] {
  if (!isContainer(v)) return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  const own = Array.isArray(v) ? [] : [at];
  return [...own, ...keys.flatMap((k) => objectPaths((v as Record<string | number, unknown>)[k], [...at, k]))];
}
const get = (root: unknown, path: Path) => path.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root);

/** A deep copy that keeps RawJson parts and own `__proto__` members: generated values are shared between runs. */
function copy(value: unknown): unknown {
  if (value instanceof RawJson || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy);
  return objectOf(Object.keys(value).map((k) => [k, copy((value as Record<string, unknown>)[k])]));
}

function mutate(base: unknown, mutations: Mutation[]): unknown {
  let root: unknown = copy(base);
  for (const m of mutations) {
    if (m.op === 'replace') {
      root = copy(m.value);
      continue;
    }
    if (m.op === 'extra') {
      const targets = objectPaths(root);
      const target = targets[m.pick % Math.max(1, targets.length)];
      if (target) define(get(root, target) as Record<string, unknown>, m.key, copy(m.value));
      continue;
    }
    if (m.op === 'taint') {
      // Keeps the shape valid: one string somewhere gets a NUL, a lone surrogate or the like.
      const strings = memberPaths(root).filter((p) => typeof get(root, p) === 'string');
      const target = strings[m.pick % Math.max(1, strings.length)];
      if (target) {
        const parent = get(root, target.slice(0, -1)) as Record<string | number, unknown>;
        const last = target[target.length - 1]!;
        const text = parent[last] as string;
        const at = m.pick % (text.length + 1);
        parent[last] = text.slice(0, at) + m.unit + text.slice(at);
      }
      continue;
    }
    const paths = memberPaths(root);
    const path = paths[m.pick % Math.max(1, paths.length)];
    if (!path) {
      if (m.op === 'asArray') root = [root];
      continue;
    }
    const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (m.op === 'drop') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (m.op === 'set') {
      if (Array.isArray(parent)) parent[Number(last)] = copy(m.value);
      else define(parent as Record<string, unknown>, String(last), copy(m.value));
    } else {
      // An array where an object (or anything) was expected.
      const current = parent[last];
      if (Array.isArray(parent)) parent[Number(last)] = [current];
      else define(parent as Record<string, unknown>, String(last), [current]);
    }
  }
  return root;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), pick: fc.nat(), value: weirdValue }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('extra' as const), pick: fc.nat(), key, value: weirdValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('asArray' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('taint' as const), pick: fc.nat(), unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\udc00\ud800', '\u202e', '\ufeff', '💥', '"', '\\', "'") }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replace' as const), value: weirdValue }) },
);

/** Valid bodies (about one in five) and mutated ones, serialized to JSON text. */
const fuzzed = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 1, arbitrary: valid.map(encode) },
    { weight: 4, arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => encode(mutate(v, ms))) },
    { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{', '{"a":1,}', '"text"', '1e999', '{"__proto__":{"polluted":"yes"}}', '\ufeff{}', 'NaN', '[{}]') },
  );

/** Database rows as plain data, for comparing before and after. */
const plain = (rows: readonly unknown[]) => JSON.parse(JSON.stringify([...rows])) as unknown[];

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const withoutUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// ---------------------------------------------------------------------------------------------
// Query strings.

/** Percent-encodes text, lone surrogates included (as the invalid UTF-8 a hostile client sends). */
function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

const RAW_QUERY_FRAGMENTS = ['%00', '%', '%zz', '%ED%A0%80', '%C0%AF', '%FF', '%E2%80%AE', 'a%20b', '+', '%2B', '%0d%0aSet-Cookie:%20x=1', '%26', '%3D', '[]', '%5B%5D'];

/** One parameter's value, already percent-encoded. */
const queryValue = (valid: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 5, arbitrary: valid.map(percentEncode) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS).map(percentEncode) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_QUERY_FRAGMENTS) },
    { weight: 2, arbitrary: anyString.map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_NUMBERS.map(String), '1e2', '0x10', ' 5', '5 ', '007', '-0', '').map(percentEncode) },
    // Long, but under the 16 KiB request line Node's HTTP parser accepts.
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 5_000 }).map((n) => 'q'.repeat(n)) },
  );

/** A query string: the known parameters (each maybe present, maybe repeated) and unknown ones. */
function queryString(params: Record<string, fc.Arbitrary<string>>, required: string[] = []) {
  const known = Object.entries(params).map(([name, valid]) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant([] as [string, string][]) },
      { weight: 5, arbitrary: queryValue(valid).map((v) => [[name, v]] as [string, string][]) },
      { weight: 1, arbitrary: fc.array(queryValue(valid), { minLength: 2, maxLength: 3 }).map((vs) => vs.map((v) => [name, v] as [string, string])) },
    ),
  );
  // About one query in four has only valid values, so that the handlers behind validation run too.
  const valid = fc
    .tuple(
      ...Object.entries(params).map(([name, arb]) => {
        const pair = arb.map((v) => [name, percentEncode(v)] as [string, string]);
        return required.includes(name) ? pair : fc.option(pair, { nil: undefined, freq: 2 });
      }),
    )
    .map((pairs) => pairs.filter((p): p is [string, string] => p !== undefined));
  const unknown = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...POLLUTING_KEYS, ...MASS_ASSIGNMENT_KEYS, 'limit[]', 'status[$ne]'), anyString).map(percentEncode), queryValue(anyString)), { maxLength: 2 });
  const fuzzedPairs = fc.tuple(fc.tuple(...known), unknown).map(([groups, extra]) => [...groups.flat(), ...extra]);
  return fc.tuple(fc.oneof({ weight: 1, arbitrary: valid }, { weight: 3, arbitrary: fuzzedPairs }), fc.boolean()).map(([pairs, shuffle]) => {
    if (shuffle) pairs.reverse();
    return pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  });
}

// ---------------------------------------------------------------------------------------------

describe('fuzzing every JSON body and query string: never a 5xx, always a problem, never a changed record', () => {
  let hub: TestHub;
  let probation: Agency;
  let court: Agency;
  let housing: { id: string; token: string };
  let clinic: { id: string; token: string };
  /** Referrals are fuzzed for this participant, which no consent ever names: they wait, and no worker touches them. */
  let waitingParticipantId: string;
  let patchTargetId: string;
  let deliveredIds: string[];
  let revocableIds: string[];
  let foreignConsentId: string;
  let pagedCursor: string;

  beforeAll(async () => {
    hub = await startTestHub({ HUB_RATE_LIMIT_RPS: '0' });
    probation = await agency(hub, 'County Probation');
    court = await agency(hub, 'Juvenile Court');
    housing = await portalPartner(hub, 'Eastside Housing');
    clinic = await portalPartner(hub, 'Riverside Clinic');
    patchTargetId = (await hub.organization({ name: 'Patch Target', kind: 'housing', adapter: { type: 'portal' } })).id;
    const waiting = await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: { ...adultParticipant, externalId: 'waiting' } });
    waitingParticipantId = waiting.body.id;
    deliveredIds = [await deliveredReferral(hub, probation, housing), await deliveredReferral(hub, probation, housing), await deliveredReferral(hub, probation, housing)];
    revocableIds = [];
    for (let i = 0; i < 4; i++) {
      const consent = await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, clinic.id, ['housing']) });
      revocableIds.push(consent.body.id);
    }
    foreignConsentId = (await hub.api.request('POST', '/v1/consents', { token: court.compliance, body: permitConsent(court.participantId, clinic.id, ['housing']) })).body.id;
    pagedCursor = (await hub.api.request('GET', '/v1/referrals?limit=1', { token: probation.planner })).body.nextCursor;
    expect(pagedCursor).toEqual(expect.any(String));
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const pollutionFree = () => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  };

  function expectProblemAnswer(response: ApiResponse, what: string) {
    expect(response.status, `${what} → ${response.status} ${JSON.stringify(response.body)?.slice(0, 500)}`).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.headers.get('content-type'), `${what} → ${response.status}`).toContain('application/problem+json');
      expect(response.body, what).toMatchObject({ type: expect.any(String), title: expect.any(String), status: response.status, detail: expect.any(String) });
    }
  }

  interface Target {
    method: string;
    /** Describes the request, for failure messages. */
    describe: string;
    path: string;
    token: string;
    raw?: string | undefined;
    headers?: Record<string, string>;
  }

  /**
   * Sends each generated request and checks the invariant. `record` reads the state a rejected
   * request must leave alone, besides the row counts.
   */
  async function fuzz<T>(arbitrary: fc.Arbitrary<T>, toRequest: (input: T) => Target, numRuns: number, record?: () => Promise<unknown>, examples: T[] = []) {
    let answered = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        const request = toRequest(input);
        // Bodies over the limit are api-validation's 413 case; here they would only race the early close.
        fc.pre(request.raw === undefined || Buffer.byteLength(request.raw) <= BODY_LIMIT - 4096);
        const before = await rowCounts(hub);
        const recordBefore = record ? await record() : undefined;
        const response = await hub.api.request(request.method, request.path, {
          token: request.token,
          ...(request.raw !== undefined ? { raw: request.raw } : {}),
          headers: { ...(request.raw !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expectProblemAnswer(response, `${request.method} ${request.describe}: ${request.raw?.slice(0, 300) ?? ''}`);
        if (response.status >= 400) {
          expect(await rowCounts(hub), `${request.describe} → ${response.status} changed rows`).toEqual(before);
          if (record) expect(await record(), `${request.describe} → ${response.status} changed the record`).toEqual(recordBefore);
        }
        pollutionFree();
        answered += 1;
      }),
      // Examples run first on every run: one valid request (so the handlers behind validation are
      // reached at least once) and the bugs this suite found, as regressions.
      { ...fcOptions<[T]>(numRuns), examples: examples.map((e) => [e] as [T]) },
    );
    expect(answered).toBeGreaterThan(0);
    // The mix reaches the handlers: some requests pass validation (2xx, 404, 409, 422), most do not.
    return statuses;
  }

  const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
  const isoAgo = (ms: number) => new Date(Date.now() - ms).toISOString();
  const instant = fc.oneof(pick(['2026-01-01T00:00:00Z', '2020-06-01T12:30:00+02:00']), fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }).map(isoAgo));
  /** Mostly the first (usable) id, sometimes the others (foreign), sometimes none at all. */
  const idFrom = (...ids: (() => string)[]) =>
    fc.oneof(
      ...ids.map((f, i) => ({ weight: i === 0 ? 8 : 1, arbitrary: fc.constant(0).map(() => f()) })),
      { weight: 1, arbitrary: pick(['org_AAAAAAAAAAAAAAAAAAAAAA', 'par_AAAAAAAAAAAAAAAAAAAAAA', 'nope']) },
    );

  describe('JSON bodies', () => {
    it('refuses nesting past 64 levels before parsing, counting brackets only outside strings', async () => {
      const nested = (depth: number) => new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
      const referral = (housing: unknown, reason = 'nesting') =>
        encode({ participantId: waitingParticipantId, partnerId: clinic.id, service: 'housing', purpose: 'treatment', reason, caseFile: { housing } });
      const post = (raw: string) => hub.api.request('POST', '/v1/referrals', { token: probation.planner, raw, headers: { 'content-type': 'application/json' } });
      // The body, caseFile and housing are three levels: 61 more make 64, the most allowed.
      expect((await post(referral({ deep: nested(61) }))).status).toBe(201);
      expect((await post(referral({ brackets: '[[[{{{'.repeat(500) }, '"[{\\'.repeat(100)))).status).toBe(201);
      const before = await rowCounts(hub);
      const refused = await post(referral({ deep: nested(62) }));
      expectProblemAnswer(refused, 'nested 65 deep');
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ path: 'body', message: expect.stringContaining('64') }]);
      expect(await rowCounts(hub)).toEqual(before);
    });

    it('POST /v1/organizations', async () => {
      const adapter = fc.oneof(
        fc.constant({ type: 'portal' }),
        fc.record({ type: fc.constant('webhook'), url: fc.nat(9999).map((n) => `http://127.0.0.1:9/hooks/${n}`), secret: maybe(fc.constant(`whsec_${Buffer.alloc(24, 7).toString('base64')}`)) }).map(withoutUndefined),
        fc
          .record({
            type: fc.constant('fhir'),
            baseUrl: fc.constant('http://127.0.0.1:9/fhir'),
            auth: maybe(fc.oneof(fc.constant({ type: 'none' }), fc.record({ type: fc.constant('bearer'), token: fc.string({ minLength: 1, maxLength: 30 }) }))),
            pollIntervalSeconds: maybe(fc.integer({ min: 1, max: 3600 })),
          })
          .map(withoutUndefined),
      );
      const valid = fc
        .record({ name: fc.string({ minLength: 1, maxLength: 60 }), kind: pick(ORGANIZATION_KINDS), part2Program: maybe(fc.boolean()), adapter })
        .map(withoutUndefined);
      const statuses = await fuzz(fuzzed(valid), (raw) => ({ method: 'POST', describe: '/v1/organizations', path: '/v1/organizations', token: hub.adminToken, raw }), 70, undefined, [
        encode({ name: 'Valid', kind: 'housing', adapter: { type: 'portal' } }),
        encode({ name: 'Lone', kind: 'other', adapter: { type: 'webhook', url: 'http://127.0.0.1:9/\ud800' } }),
        encode({ name: 'Deep', kind: 'other', adapter: { type: 'portal' }, part2Program: new RawJson('['.repeat(50_000) + ']'.repeat(50_000)) }),
      ]);
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    it('PATCH /v1/organizations/{id}', async () => {
      const valid = fc
        .record({
          name: maybe(fc.string({ minLength: 1, maxLength: 60 })),
          part2Program: maybe(fc.boolean()),
          adapter: maybe(fc.oneof(fc.constant({ type: 'portal' }), fc.constant({ type: 'webhook', url: 'http://127.0.0.1:9/patched' }))),
        })
        .map(withoutUndefined);
      const target = fc.oneof({ weight: 8, arbitrary: fc.constant('target') }, { weight: 1, arbitrary: pick(['org_AAAAAAAAAAAAAAAAAAAAAA', 'org_%00', '..%2F..%2Fclients', 'x'.repeat(300)]) });
      const organizationRow = async () => plain(await hub.db.sql`SELECT name, kind, part2_program, adapter, secret_jwe FROM organizations WHERE id = ${patchTargetId}`);
      await fuzz(
        fc.tuple(target, fuzzed(valid)),
        ([id, raw]) => {
          const path = `/v1/organizations/${id === 'target' ? patchTargetId : id}`;
          return { method: 'PATCH', describe: path, path, token: hub.adminToken, raw };
        },
        60,
        organizationRow,
      );
    });

    it('POST /v1/clients', async () => {
      const jwk = fc.constant({ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' });
      const valid = fc
        .tuple(
          fc.record({ organizationId: idFrom(() => probation.id, () => housing.id), role: pick(['planner', 'partner', 'compliance', 'admin']) }),
          fc.oneof(fc.record({ jwks: fc.record({ keys: fc.array(jwk, { minLength: 1, maxLength: 2 }) }) }), fc.record({ jwksUri: fc.constant('https://keys.example.org/jwks.json') })),
        )
        .map(([a, b]) => ({ ...a, ...b }));
      const statuses = await fuzz(fuzzed(valid), (raw) => ({ method: 'POST', describe: '/v1/clients', path: '/v1/clients', token: hub.adminToken, raw }), 60, undefined, [
        encode({ organizationId: probation.id, role: 'planner', jwks: { keys: [{ kty: 'EC', crv: 'P-256' }] } }),
        encode({ organizationId: probation.id, role: 'planner', jwks: { keys: [{ kty: 'EC\ud800', crv: 'P-256' }] } }),
      ]);
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    it('POST /v1/participants', async () => {
      const valid = fc
        .record({
          externalId: maybe(fc.string({ minLength: 1, maxLength: 20 })),
          name: fc.record({ given: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }), family: fc.string({ minLength: 1, maxLength: 20 }) }),
          birthDate: fc.oneof(pick(['1990-04-12', '2012-02-29', '2025-12-31']), fc.date({ min: new Date('1900-01-01'), max: new Date('2020-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
          gender: maybe(pick(['female', 'male', 'nonbinary', 'other', 'undisclosed'])),
          race: maybe(fc.uniqueArray(pick(RACE_CODES), { maxLength: 3 })),
          guardians: maybe(fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), relationship: pick(['mother', 'father', 'legal guardian']) }), { maxLength: 2 })),
        })
        .map(withoutUndefined);
      const statuses = await fuzz(fuzzed(valid), (raw) => ({ method: 'POST', describe: '/v1/participants', path: '/v1/participants', token: probation.planner, raw }), 60, undefined, [encode(adultParticipant)]);
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    const section = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean())), { maxLength: 3 }).map(objectOf);
    const caseFile = fc
      .tuple(
        fc.subarray(DATA_CATEGORIES.filter((c) => c !== 'identity' && c !== 'contact')),
        fc.array(section, { minLength: 10, maxLength: 10 }),
        fc.array(fc.record({ category: pick(DATA_CATEGORIES), text: fc.string({ minLength: 1, maxLength: 40 }) }), { maxLength: 3 }),
        fc.boolean(),
      )
      .map(([categories, sections, notes, withContact]) => ({
        identity: { name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12', identifiers: [{ system: 'urn:state:sid', value: 'S-1' }] },
        ...(withContact ? { contact: { phone: '555-0100', address: { line: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' } } } : {}),
        ...Object.fromEntries(categories.map((c, i) => [c, sections[i]])),
        ...(notes.length ? { notes } : {}),
      }));
    const referralBody = () =>
      fc
        .record({
          participantId: idFrom(() => waitingParticipantId, () => court.participantId),
          partnerId: idFrom(() => housing.id, () => clinic.id),
          service: pick(SERVICES),
          purpose: pick(PURPOSES),
          priority: maybe(pick(['routine', 'urgent'])),
          reason: fc.string({ minLength: 1, maxLength: 80 }),
          caseFile,
        })
        .map(withoutUndefined);

    it('POST /v1/referrals', async () => {
      const statuses = await fuzz(fuzzed(referralBody()), (raw) => ({ method: 'POST', describe: '/v1/referrals', path: '/v1/referrals', token: probation.planner, raw }), 70, undefined, [
        encode({ participantId: waitingParticipantId, partnerId: housing.id, service: 'housing', purpose: 'treatment', reason: 'valid', caseFile: { housing: { a: 1 } } }),
      ]);
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    it('POST /v1/referrals with an Idempotency-Key', async () => {
      // A small pool of keys, so that keys are reused with the same body and with others.
      const idempotencyKey = fc.oneof(
        { weight: 4, arbitrary: pick(['key-1', 'key-2', 'key-3']) },
        { weight: 2, arbitrary: fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)), minLength: 0, maxLength: 300 }) },
        { weight: 1, arbitrary: pick(['', ' ', 'k'.repeat(255), 'k'.repeat(256), 'ключ', "key' OR 1=1"]).map((k) => Buffer.from(k, 'utf8').toString('latin1')) },
      );
      const bodies = fc.oneof({ weight: 2, arbitrary: fc.constant('fixed') }, { weight: 3, arbitrary: fuzzed(referralBody()) });
      await fuzz(
        fc.tuple(idempotencyKey, bodies),
        ([k, raw]) => {
          const fixed = encode({ participantId: waitingParticipantId, partnerId: housing.id, service: 'housing', purpose: 'treatment', reason: 'idempotent', caseFile: { housing: { a: 1 } } });
          return { method: 'POST', describe: `/v1/referrals (Idempotency-Key ${JSON.stringify(k)})`, path: '/v1/referrals', token: probation.planner, raw: raw === 'fixed' ? fixed : raw, headers: { 'idempotency-key': k } };
        },
        60,
      );
    });

    it('POST /v1/referrals/{id}/events', async () => {
      const valid = fc
        .record({
          type: pick(POSTABLE_EVENTS),
          occurredAt: maybe(instant),
          reason: maybe(fc.string({ minLength: 1, maxLength: 40 })),
          appointmentAt: maybe(instant),
          note: maybe(fc.record({ category: pick(DATA_CATEGORIES), text: fc.string({ minLength: 1, maxLength: 40 }) })),
        })
        .map(withoutUndefined);
      const target = fc.oneof({ weight: 9, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: pick(['ref_AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id']) });
      const caller = fc.oneof({ weight: 6, arbitrary: fc.constant('partner') }, { weight: 1, arbitrary: fc.constant('planner') });
      const referralState = async () =>
        plain(await hub.db.sql`SELECT r.id, r.status, r.status_before_hold, (SELECT count(*) FROM referral_events e WHERE e.referral_id = r.id) AS events
          FROM referrals r WHERE r.id = ANY(${deliveredIds}) ORDER BY r.id`);
      const statuses = await fuzz(
        fc.tuple(target, caller, fuzzed(valid)),
        ([t, who, raw]) => {
          const path = `/v1/referrals/${typeof t === 'number' ? deliveredIds[t] : t}/events`;
          return { method: 'POST', describe: `${path} as ${who}`, path, token: who === 'partner' ? housing.token : probation.planner, raw };
        },
        70,
        referralState,
        [
          [0, 'partner', encode({ type: 'received', occurredAt: '2026-01-01T00:00:00+23:59' })] as [number | string, string, string],
          [0, 'partner', encode({ type: 'received' })] as [number | string, string, string],
        ],
      );
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    const provision = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
      node: fc
        .record({
          type: pick(['permit', 'deny']),
          actors: maybe(fc.array(fc.oneof(fc.constant(0).map(() => ({ organizationId: clinic.id })), fc.record({ role: pick(['recipient', 'source']), organizationKind: pick(ORGANIZATION_KINDS) })), { maxLength: 2 })),
          purposes: maybe(fc.uniqueArray(pick(PURPOSES), { maxLength: 2 })),
          categories: maybe(fc.uniqueArray(pick(DATA_CATEGORIES), { maxLength: 3 })),
          provisions: fc.oneof({ depthSize: 'small' }, fc.constant(undefined), fc.array(tie('node'), { maxLength: 2 })),
        })
        .map(withoutUndefined),
    })).node;
    const consentBody = () =>
      fc
        .record({
          participantId: idFrom(() => probation.participantId, () => court.participantId),
          basis: pick(['consent', 'court_order', 'statute']),
          period: fc.oneof(fc.constant(0).map(() => ({ start: isoAgo(86_400_000) })), fc.record({ start: instant, end: instant })),
          signatures: maybe(
            fc.array(fc.record({ signer: pick(['participant', 'participant', 'guardian']), name: fc.string({ minLength: 1, maxLength: 20 }), relationship: maybe(fc.string({ maxLength: 20 })), signedAt: instant, method: pick(['electronic', 'wet', 'verbal_witnessed']) }).map(withoutUndefined), { minLength: 1, maxLength: 2 }),
          ),
          documentRef: maybe(fc.string({ minLength: 1, maxLength: 30 })),
          provision,
        })
        .map(withoutUndefined);
    /** Provisions nested past the 8 levels allowed, up to what the body limit lets through. */
    const deepProvisions = fc.constantFrom(9, 100, 5_000, 25_000).map((depth) =>
      encode({ ...permitConsent(probation.participantId, clinic.id, ['housing']), provision: new RawJson('{"type":"permit","provisions":['.repeat(depth) + '{"type":"deny"}' + ']}'.repeat(depth)) }),
    );

    it('POST /v1/consents (JSON)', async () => {
      const statuses = await fuzz(
        fc.oneof({ weight: 9, arbitrary: fuzzed(consentBody()) }, { weight: 1, arbitrary: deepProvisions }),
        (raw) => ({ method: 'POST', describe: '/v1/consents', path: '/v1/consents', token: probation.compliance, raw }),
        70,
        undefined,
        [
          encode(permitConsent(probation.participantId, clinic.id, ['housing'])),
          encode({ ...permitConsent(probation.participantId, clinic.id, ['housing']), provision: new RawJson('{"type":"permit","provisions":['.repeat(25_000) + '{"type":"deny"}' + ']}'.repeat(25_000)) }),
          encode(permitConsent(probation.participantId, clinic.id, ['housing'], { signatures: [{ signer: 'participant', name: 'J', relationship: 'self\udc00', signedAt: isoAgo(0), method: 'wet' }] })),
          encode(permitConsent(probation.participantId, clinic.id, ['housing'], { period: { start: '2026-01-01T00:00:00+23:59' } })),
        ],
      );
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    it('POST /v1/consents (application/fhir+json)', async () => {
      const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
      const fhirConsent = fc
        .record({
          status: pick(['active', 'active', 'inactive', 'draft', 'entered-in-error']),
          patient: fc.constant(0).map(() => ({ reference: `Patient/${probation.participantId}` })),
          dateTime: instant,
          source: fc.oneof(
            fc.record({ sourceAttachment: fc.record({ title: fc.string({ maxLength: 30 }), url: fc.string({ minLength: 1, maxLength: 30 }) }) }),
            fc.record({ sourceReference: fc.record({ reference: fc.string({ minLength: 1, maxLength: 30 }), display: fc.string({ maxLength: 30 }) }) }),
          ),
          code: pick(['IRCP', 'PRCP', 'CST']),
          purpose: pick(['TREAT', 'CAREMGT', 'HPAYMT', 'HLEGAL']),
          label: pick(['ETH', 'SUD', 'PSY', 'MH']),
          nested: fc.boolean(),
        })
        .map(({ source, code, purpose, label, nested, ...rest }) => ({
          resourceType: 'Consent',
          ...rest,
          scope: coding('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy'),
          category: [coding('http://loinc.org', '59284-0')],
          ...source,
          provision: {
            type: 'permit',
            period: { start: isoAgo(60_000) },
            actor: [{ role: coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code), reference: { reference: `Organization/${clinic.id}` } }],
            purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: purpose }],
            ...(nested ? { provision: [{ type: 'deny', securityLabel: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: label }] }] } : {}),
          },
        }));
      const accept = pick(['application/json', 'application/fhir+json', '*/*']);
      const statuses = await fuzz(
        fc.tuple(fuzzed(fhirConsent), accept),
        ([raw, a]) => ({ method: 'POST', describe: `/v1/consents (FHIR, accept ${a})`, path: '/v1/consents', token: probation.compliance, raw, headers: { 'content-type': 'application/fhir+json', accept: a } }),
        70,
        undefined,
        [
          [encode({ resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${probation.participantId}` }, dateTime: isoAgo(0), sourceAttachment: { url: 'urn:doc:1' }, provision: { type: 'permit', period: { start: isoAgo(0) } } }), 'application/fhir+json'] as [string, string],
          [encode({ resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${probation.participantId}` }, dateTime: isoAgo(0), sourceAttachment: { url: 'urn:doc:\u0000' }, provision: { type: 'permit', period: { start: isoAgo(0) } } }), 'application/json'] as [string, string],
        ],
      );
      expect(statuses.get(201)).toBeGreaterThan(0);
    });

    it('POST /v1/consents/{id}/revoke', async () => {
      const valid = fc.record({ reason: fc.string({ minLength: 1, maxLength: 60 }) });
      const target = fc.oneof({ weight: 8, arbitrary: fc.nat(revocableIds.length - 1) }, { weight: 1, arbitrary: pick(['foreign', 'con_AAAAAAAAAAAAAAAAAAAAAA', 'con_!']) });
      const consentStates = async () => plain(await hub.db.sql`SELECT id, status, revoked_at, revoke_reason_jwe FROM consents ORDER BY id`);
      await fuzz(
        fc.tuple(target, fuzzed(valid)),
        ([t, raw]) => {
          const id = typeof t === 'number' ? revocableIds[t]! : t === 'foreign' ? foreignConsentId : t;
          return { method: 'POST', describe: `/v1/consents/${id}/revoke`, path: `/v1/consents/${id}/revoke`, token: probation.compliance, raw };
        },
        50,
        consentStates,
      );
    });

    it('POST /oauth/token (form bodies)', async () => {
      const client = await registerClientKey(hub, probation.id, 'planner');
      const stranger = await generateClientKey('ES256');
      const replayed = await signed(client.clientId, client.privateJwk);

      const ASSERTIONS = ['fresh', 'replayed', 'expired', 'long-lived', 'stranger', 'alg-none', 'garbage', 'wrong-aud', 'no-jti'] as const;
      type AssertionKind = (typeof ASSERTIONS)[number];
      async function signed(iss: string, keyJwk: JWK, claims: Record<string, unknown> = {}) {
        const now = Math.floor(Date.now() / 1000);
        const payload = Object.fromEntries(
          Object.entries({ iss, sub: iss, aud: `${PUBLIC_URL}/oauth/token`, iat: now, exp: now + 240, jti: randomUUID(), ...claims }).filter(([, v]) => v !== undefined),
        );
        return new SignJWT(payload).setProtectedHeader({ alg: keyJwk.alg!, kid: keyJwk.kid! }).sign(await importJWK(keyJwk, keyJwk.alg));
      }
      async function assertion(kind: AssertionKind): Promise<string> {
        const now = Math.floor(Date.now() / 1000);
        switch (kind) {
          case 'fresh': return signed(client.clientId, client.privateJwk);
          case 'replayed': return replayed;
          case 'expired': return signed(client.clientId, client.privateJwk, { iat: now - 600, exp: now - 120 });
          case 'long-lived': return signed(client.clientId, client.privateJwk, { exp: now + 86_400 });
          case 'stranger': return signed(client.clientId, stranger.privateJwk);
          case 'wrong-aud': return signed(client.clientId, client.privateJwk, { aud: 'https://elsewhere.example/oauth/token' });
          case 'no-jti': return signed(client.clientId, client.privateJwk, { jti: undefined });
          case 'alg-none': {
            const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
            return `${b64({ alg: 'none' })}.${b64({ iss: client.clientId, sub: client.clientId, aud: `${PUBLIC_URL}/oauth/token`, exp: now + 60, jti: randomUUID() })}.`;
          }
          case 'garbage': return 'a.b.c';
        }
      }

      type FormValue = { text: string } | { assertion: AssertionKind };
      const formValue: fc.Arbitrary<FormValue> = fc.oneof(
        { weight: 3, arbitrary: pick(ASSERTIONS).map((a) => ({ assertion: a })) },
        { weight: 3, arbitrary: pick(['client_credentials', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'hub/planner', 'hub/admin', 'hub/planner hub/admin', 'password', 'authorization_code']).map((text) => ({ text })) },
        { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS).map((text) => ({ text })) },
        { weight: 1, arbitrary: anyString.map((text) => ({ text })) },
        { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 40_000 }).map((n) => ({ text: 'x'.repeat(n) })) },
      );
      const FIELDS = ['grant_type', 'client_assertion_type', 'client_assertion', 'scope'];
      const form = fc.oneof(
        // The well-formed shape with each field maybe replaced, maybe dropped, maybe repeated.
        {
          weight: 4,
          arbitrary: fc
            .tuple(
              fc.tuple(
                fc.oneof(fc.constant({ text: 'client_credentials' } as FormValue), formValue),
                fc.oneof(fc.constant({ text: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' } as FormValue), formValue),
                fc.oneof(fc.constant({ assertion: 'fresh' } as FormValue), formValue),
                formValue,
              ),
              fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
              fc.array(fc.tuple(fc.oneof(pick([...FIELDS, 'client_id', 'client_secret', ...POLLUTING_KEYS]), anyString), formValue), { maxLength: 2 }),
            )
            .map(([values, keep, extra]) => [...FIELDS.flatMap((name, i) => (keep[i] || i < 3 ? [[name, values[i]!] as [string, FormValue]] : [])), ...extra]),
        },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.oneof(pick(FIELDS), anyString), formValue), { maxLength: 5 }) },
      );
      const rawBody = fc.oneof(
        { weight: 6, arbitrary: form.map((pairs) => ({ pairs })) },
        { weight: 1, arbitrary: fc.oneof(anyString, pick(['%', '%zz&=&&', '=', 'grant_type', 'a=%ED%A0%80', '\u0000', '{"grant_type":"client_credentials"}'])).map((raw) => ({ raw })) },
      );
      const contentType = fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/x-www-form-urlencoded') },
        { weight: 1, arbitrary: pick(['application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/x-www-form-urlencodedX', '']) },
      );

      const tokenStatuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(rawBody, contentType, async (body, type) => {
          let text: string;
          if ('raw' in body) text = body.raw;
          else {
            const parts: string[] = [];
            for (const [name, value] of body.pairs) {
              const v = 'text' in value ? value.text : await assertion(value.assertion);
              parts.push(`${percentEncode(name)}=${percentEncode(v)}`);
            }
            text = parts.join('&');
          }
          const response = await hub.api.request('POST', '/oauth/token', { raw: text, headers: type ? { 'content-type': type } : {} });
          tokenStatuses.set(response.status, (tokenStatuses.get(response.status) ?? 0) + 1);
          const what = `POST /oauth/token (${type}) ${text.slice(0, 300)} → ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status === 200) {
            expect(response.body, what).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', scope: 'hub/planner' });
          } else if (response.status === 413) {
            expect(response.headers.get('content-type'), what).toContain('application/problem+json');
          } else {
            expect([400, 401], what).toContain(response.status);
            expect(response.headers.get('content-type'), what).toContain('application/json');
            expect(response.body, what).toEqual({ error: expect.stringMatching(/^(invalid_request|invalid_client|invalid_grant|invalid_scope|unsupported_grant_type)$/), error_description: expect.any(String) });
          }
          pollutionFree();
        }),
        {
          ...fcOptions<[typeof rawBody extends fc.Arbitrary<infer B> ? B : never, string]>(80),
          examples: [[{ pairs: [['grant_type', { text: 'client_credentials' }], ['client_assertion_type', { text: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }], ['client_assertion', { assertion: 'fresh' }]] }, 'application/x-www-form-urlencoded']],
        },
      );
      expect(tokenStatuses.get(200)).toBeGreaterThan(0);
    });
  });

  describe('query strings', () => {
    const ids = (...ids: (() => string)[]) =>
      fc.oneof(
        ...ids.map((f, i) => ({ weight: i === 0 ? 6 : 2, arbitrary: fc.constant(0).map(() => f()) })),
        { weight: 1, arbitrary: pick(['org_AAAAAAAAAAAAAAAAAAAAAA', 'par_AAAAAAAAAAAAAAAAAAAAAA']) },
      );
    const limit = fc.oneof(fc.integer({ min: 1, max: 200 }).map(String), pick(['0', '201', '-1', '1.5', '1e2', '99999999999999999999']));
    const cursor = fc.oneof(
      fc.constant(0).map(() => pagedCursor),
      pick(['garbage!', '', 'W10', 'WyJ4IiwieSJd', Buffer.from('["2026-01-01T00:00:00.000Z","ref_AAAAAAAAAAAAAAAAAAAAAA"]').toString('base64url'), Buffer.from('["\u0000","\ud800"]').toString('base64url'),
        // Instants JavaScript round-trips but PostgreSQL refuses (extended and zero years).
        Buffer.from('["+010000-01-01T00:00:00.000Z","ref_AAAAAAAAAAAAAAAAAAAAAA"]').toString('base64url'), Buffer.from('["0000-01-01T00:00:00.000Z","org_AAAAAAAAAAAAAAAAAAAAAA"]').toString('base64url')]),
      anyString.map((s) => Buffer.from(JSON.stringify([s, s])).toString('base64url')),
    );
    const time = fc.oneof(instant, pick(['0000-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59', '2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z']));

      async function fuzzQuery(
      path: () => string, token: () => string, query: fc.Arbitrary<string>, numRuns: number, headers: fc.Arbitrary<Record<string, string>> = fc.constant({}), examples: string[] = [],
    ) {
      return fuzz(
        fc.tuple(query, headers),
        ([q, h]) => ({ method: 'GET', describe: `${path()}${q.slice(0, 300)}`, path: `${path()}${q}`, token: token(), headers: h }),
        numRuns,
        undefined,
        examples.map((q) => [q, {}] as [string, Record<string, string>]),
      );
    }

    it('GET /v1/referrals?status=&partnerId=&participantId=&limit=&cursor= (planner and partner)', async () => {
      const query = queryString({ status: pick(REFERRAL_STATUSES), partnerId: ids(() => housing.id, () => clinic.id), participantId: ids(() => probation.participantId, () => court.participantId), limit, cursor });
      const statuses = await fuzz(
        fc.tuple(query, fc.boolean()),
        ([q, asPartner]) => ({ method: 'GET', describe: `/v1/referrals${q.slice(0, 300)} as ${asPartner ? 'partner' : 'planner'}`, path: `/v1/referrals${q}`, token: asPartner ? housing.token : probation.planner }),
        70,
        undefined,
        [['', false] as [string, boolean], [`?limit=1&cursor=${pagedCursor}`, true] as [string, boolean]],
      );
      expect(statuses.get(200)).toBeGreaterThan(0);
    });

    it('GET /v1/organizations?limit=&cursor=', async () => {
      const statuses = await fuzzQuery(() => '/v1/organizations', () => hub.adminToken, queryString({ limit, cursor }), 50, undefined, ['?limit=2']);
      expect(statuses.get(200)).toBeGreaterThan(0);
    });

    it('GET /v1/consents?participantId=', async () => {
      const statuses = await fuzzQuery(() => '/v1/consents', () => probation.compliance, queryString({ participantId: ids(() => probation.participantId, () => court.participantId) }), 40, undefined, [
        `?participantId=${probation.participantId}`,
      ]);
      expect(statuses.get(200)).toBeGreaterThan(0);
    });

    it('GET /v1/participants/{id}/access?recipient=&purpose=&source=&at=', async () => {
      const query = queryString({ recipient: ids(() => clinic.id, () => housing.id), purpose: pick(PURPOSES), source: ids(() => clinic.id, () => probation.id), at: time }, ['recipient', 'purpose']);
      const statuses = await fuzz(
        fc.tuple(query, fc.oneof({ weight: 6, arbitrary: fc.constant('own') }, { weight: 1, arbitrary: pick(['foreign', 'par_AAAAAAAAAAAAAAAAAAAAAA', 'par_%00']) })),
        ([q, who]) => {
          const id = who === 'own' ? probation.participantId : who === 'foreign' ? court.participantId : who;
          return { method: 'GET', describe: `/v1/participants/${id}/access${q.slice(0, 300)}`, path: `/v1/participants/${id}/access${q}`, token: probation.compliance };
        },
        70,
        undefined,
        [[`?recipient=${clinic.id}&purpose=treatment`, 'own'] as [string, string]],
      );
      expect(statuses.get(200)).toBeGreaterThan(0);
    });

    it('GET /v1/participants/{id}/disclosures?from=&to=&recipient=&channel=', async () => {
      const query = queryString({ from: time, to: time, recipient: ids(() => housing.id, () => clinic.id), channel: pick(['delivery', 'read', 'status']) });
      const statuses = await fuzzQuery(
        () => `/v1/participants/${probation.participantId}/disclosures`,
        () => probation.compliance,
        query,
        60,
        fc.oneof(fc.constant({}), fc.constant({ accept: 'text/csv' })),
        ['', '?to=9999-12-31T23%3A59%3A59-23%3A59', '?from=2026-01-01T00%3A00%3A00%2B16%3A00'],
      );
      expect(statuses.get(200)).toBeGreaterThan(0);
    });
  });
});
