import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, SignJWT, exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { PUBLIC_URL, signAssertion, startTestHub, type ApiResponse, type TestHub } from '../support/hub.js';
import { agency, deliveredReferral, expectProblem, portalPartner, referralInput, rowCounts, type Agency } from '../support/scenario.js';

/**
 * Attack tests (issue 5, security item 8) beyond what auth, access-control, api-validation and
 * idempotency already cover: mass assignment on every create and patch body, every route tried by
 * every role that may not call it, every object-scoped route tried by another organisation,
 * JWT header tricks on the bearer token, SSRF targets for partner URLs, security headers and
 * closed CORS, and the per-client rate limit.
 */

type Role = 'admin' | 'planner' | 'partner' | 'compliance';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const FHIR_JSON = 'application/fhir+json';
const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

/** A FHIR R4 Consent that maps onto a permit for `recipientId`. */
const fhirConsent = (participantId: string, recipientId: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  patient: { reference: `Patient/${participantId}` },
  dateTime: iso(-60_000),
  sourceAttachment: { title: 'Signed consent form', url: 'urn:doc:attack-1' },
  provision: {
    type: 'permit',
    period: { start: iso(-60_000) },
    actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `Organization/${recipientId}` } }],
  },
  ...extra,
});

/** Counts the requests a local server receives: nothing the hub is tricked into fetching may reach it. */
async function trap() {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw HTTP request, for headers fetch would not send as given (Origin, preflights). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('attacks', () => {
  let hub: TestHub;
  /** Organisation A: the owner of every object attacked below. */
  let probation: Agency;
  /** Organisation B: another referring agency, with a client of every role. */
  let court: Agency & { partner: string };
  /** The partner A's referral is addressed to, with its other roles too. */
  let housing: { id: string; token: string; planner: string; compliance: string };
  let clinic: { id: string; token: string };
  let referralId: string;
  let consentId: string;

  beforeAll(async () => {
    // Partner URLs must be public here (the SSRF guard on), and no rate limit gets in the way of the tables.
    hub = await startTestHub({ HUB_ALLOW_PRIVATE_TARGETS: 'false', HUB_RATE_LIMIT_RPS: '0' });
    probation = await agency(hub, 'County Probation');
    const courtAgency = await agency(hub, 'Juvenile Court');
    court = { ...courtAgency, partner: await hub.client(courtAgency.id, 'partner') };
    const housingOrg = await portalPartner(hub, 'Eastside Housing');
    housing = { ...housingOrg, planner: await hub.client(housingOrg.id, 'planner'), compliance: await hub.client(housingOrg.id, 'compliance') };
    clinic = await portalPartner(hub, 'Riverside Clinic');
    referralId = await deliveredReferral(hub, probation, housing);
    consentId = (await hub.api.request('GET', `/v1/consents?participantId=${probation.participantId}`, { token: probation.compliance })).body.items[0].id;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  interface Call {
    method: string;
    path: string;
    body?: unknown;
    /** Sent as is, with this content type (FHIR bodies). */
    fhir?: boolean;
    accept?: string;
  }
  const send = (token: string, call: Call) =>
    hub.api.request(call.method, call.path, {
      token,
      ...(call.fhir ? { raw: JSON.stringify(call.body), headers: { 'content-type': FHIR_JSON } } : call.body === undefined ? {} : { body: call.body }),
      ...(call.accept ? { headers: { accept: call.accept } } : {}),
    });
  const describeCall = (call: Call) => `${call.method} ${call.path}${call.fhir ? ' (FHIR)' : ''}${call.accept ? ` (accept ${call.accept})` : ''}`;

  /** What must not change when an attack is refused: row counts, A's referral and consent. */
  async function protectedState() {
    const [referral] = await hub.db.sql`SELECT status, delivered_at, partner_id, referrer_org_id FROM referrals WHERE id = ${referralId}`;
    const [consent] = await hub.db.sql`SELECT status, revoked_at, participant_id FROM consents WHERE id = ${consentId}`;
    const organizations = await hub.db.sql`SELECT id, name, kind, part2_program, adapter FROM organizations ORDER BY id`;
    return JSON.parse(JSON.stringify({ counts: await rowCounts(hub), referral, consent, organizations }));
  }

  describe('mass assignment: server-owned fields are refused, never applied', () => {
    const COURT_ID = () => court.id;
    /** Fields a client might try to set, with values that would matter if they stuck. */
    const injected = (): Record<string, unknown> => ({
      id: 'xxx_MASSASSIGNMENT000000000'.slice(0, 26),
      status: 'completed',
      organizationId: COURT_ID(),
      createdAt: '2001-02-03T04:05:06.000Z',
      updatedAt: '2001-02-03T04:05:06.000Z',
      deliveredAt: '2001-02-03T04:05:06.000Z',
      revokedAt: '2001-02-03T04:05:06.000Z',
      role: 'admin',
      minor: true,
      webhookSecret: `whsec_${'A'.repeat(24)}`,
      notifyToken: 'fhirnt_attacker',
      secretJwe: 'attacker',
      clientId: 'hub-admin',
      createdBy: 'hub-admin',
      referrerOrgId: COURT_ID(),
      withheldEvents: 0,
      warnings: [],
    });

    /** Every create and patch body: a valid body, and the fields it legitimately takes. */
    const bodies = (): { token: string; call: Call; own: string[]; table: string }[] => [
      { token: hub.adminToken, call: { method: 'POST', path: '/v1/organizations', body: { name: 'Mass Org', kind: 'other', adapter: { type: 'portal' } } }, own: [], table: 'organizations' },
      { token: hub.adminToken, call: { method: 'PATCH', path: `/v1/organizations/${clinic.id}`, body: { name: 'Riverside Clinic' } }, own: [], table: 'organizations' },
      { token: hub.adminToken, call: { method: 'POST', path: '/v1/clients', body: { organizationId: court.id, role: 'planner', jwks: { keys: [{ kty: 'EC' }] } } }, own: ['organizationId', 'role'], table: 'clients' },
      { token: probation.planner, call: { method: 'POST', path: '/v1/participants', body: adultParticipant }, own: [], table: 'participants' },
      { token: probation.planner, call: { method: 'POST', path: '/v1/referrals', body: referralInput(probation.participantId, clinic.id) }, own: [], table: 'referrals' },
      { token: housing.token, call: { method: 'POST', path: `/v1/referrals/${referralId}/events`, body: { type: 'received' } }, own: [], table: 'referral_events' },
      { token: probation.compliance, call: { method: 'POST', path: '/v1/consents', body: permitConsent(probation.participantId, clinic.id, ['housing']) }, own: [], table: 'consents' },
      { token: probation.compliance, call: { method: 'POST', path: `/v1/consents/${consentId}/revoke`, body: { reason: 'mass assignment' } }, own: [], table: 'consents' },
    ];

    it('answers every server-owned field on every create and patch body with a 400 naming it', async () => {
      const before = await protectedState();
      let tried = 0;
      for (const { token, call, own } of bodies()) {
        for (const [field, value] of Object.entries(injected())) {
          if (own.includes(field)) continue;
          const response = await send(token, { ...call, body: { ...(call.body as object), [field]: value } });
          expect(response.status, `${describeCall(call)} with ${field}: ${JSON.stringify(response.body)}`).toBe(400);
          expectProblem(response, 400, field);
          tried += 1;
        }
      }
      expect(tried).toBeGreaterThan(100);
      expect(await protectedState()).toEqual(before);
    });

    it('refuses server-owned fields nested in sub-objects too', async () => {
      const before = await protectedState();
      const nested: [string, Call, string][] = [
        [hub.adminToken, { method: 'POST', path: '/v1/organizations', body: { name: 'X', kind: 'other', adapter: { type: 'webhook', url: 'https://93.184.216.34/h', secretJwe: 'x' } } }, 'adapter.secretJwe'],
        [hub.adminToken, { method: 'PATCH', path: `/v1/organizations/${clinic.id}`, body: { adapter: { type: 'fhir', baseUrl: 'https://93.184.216.34/fhir', notifyToken: 'fhirnt_x' } } }, 'adapter.notifyToken'],
        [hub.adminToken, { method: 'PATCH', path: `/v1/organizations/${clinic.id}`, body: { kind: 'court' } }, 'kind'],
        [probation.planner, { method: 'POST', path: '/v1/referrals', body: referralInput(probation.participantId, clinic.id, { caseFile: { notes: [{ category: 'housing', text: 'x', id: 'note_1' }] } }) }, 'caseFile.notes.0.id'],
        [probation.planner, { method: 'POST', path: '/v1/participants', body: { ...adultParticipant, name: { ...adultParticipant.name, organizationId: court.id } } }, 'name.organizationId'],
        [probation.compliance, { method: 'POST', path: '/v1/consents', body: permitConsent(probation.participantId, clinic.id, ['housing'], { period: { start: iso(-1000), status: 'active' } }) }, 'period.status'],
        [probation.compliance, { method: 'POST', path: '/v1/consents', body: { ...permitConsent(probation.participantId, clinic.id, ['housing']), provision: { type: 'permit', status: 'revoked' } } }, 'provision.status'],
      ];
      for (const [token, call, field] of nested) expectProblem(await send(token, call), 400, field);
      expect(await protectedState()).toEqual(before);
    });

    it('ignores a FHIR Consent’s own id and meta: the hub assigns the id, the existing consent is untouched', async () => {
      const before = await hub.db.sql`SELECT row_to_json(c) AS row FROM consents c WHERE id = ${consentId}`;
      const created = await send(probation.compliance, {
        method: 'POST', path: '/v1/consents', fhir: true,
        body: fhirConsent(probation.participantId, clinic.id, { id: consentId, meta: { versionId: '7', lastUpdated: '2001-02-03T04:05:06Z' } }),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.id).not.toBe(consentId);
      expect(created.body.createdAt).not.toBe('2001-02-03T04:05:06.000Z');
      expect(await hub.db.sql`SELECT row_to_json(c) AS row FROM consents c WHERE id = ${consentId}`).toEqual(before);
    });

    it('refuses hub fields smuggled into a FHIR Consent (422 naming them), writing nothing', async () => {
      const before = await protectedState();
      for (const field of ['organizationId', 'revokedAt', 'createdAt', 'warnings', 'basis']) {
        const response = await send(probation.compliance, { method: 'POST', path: '/v1/consents', fhir: true, body: fhirConsent(probation.participantId, clinic.id, { [field]: injected()[field] ?? 'court_order' }) });
        expect(response.status, `${field}: ${JSON.stringify(response.body)}`).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expectProblem(response, response.status, field);
      }
      expect(await protectedState()).toEqual(before);
    });
  });

  describe('role escalation: every route, tried by every role that may not call it', () => {
    /** Every /v1 route with a valid request, and the roles that may call it (docs/api.md). */
    const routes = (): { call: Call; allowed: Role[] }[] => [
      { call: { method: 'POST', path: '/v1/organizations', body: { name: 'Shadow Org', kind: 'other', adapter: { type: 'portal' } } }, allowed: ['admin'] },
      { call: { method: 'GET', path: '/v1/organizations' }, allowed: ['admin'] },
      { call: { method: 'PATCH', path: `/v1/organizations/${housing.id}`, body: { part2Program: true } }, allowed: ['admin'] },
      { call: { method: 'POST', path: '/v1/clients', body: { organizationId: housing.id, role: 'compliance', jwks: { keys: [{ kty: 'EC' }] } } }, allowed: ['admin'] },
      { call: { method: 'POST', path: '/v1/participants', body: adultParticipant }, allowed: ['planner'] },
      { call: { method: 'GET', path: `/v1/participants/${probation.participantId}` }, allowed: ['planner', 'compliance'] },
      { call: { method: 'POST', path: '/v1/referrals', body: referralInput(probation.participantId, clinic.id) }, allowed: ['planner'] },
      { call: { method: 'GET', path: '/v1/referrals' }, allowed: ['planner', 'partner'] },
      { call: { method: 'GET', path: `/v1/referrals/${referralId}` }, allowed: ['planner', 'partner'] },
      { call: { method: 'POST', path: `/v1/referrals/${referralId}/events`, body: { type: 'progress_note', note: { category: 'housing', text: 'x' } } }, allowed: ['planner', 'partner'] },
      { call: { method: 'GET', path: `/v1/referrals/${referralId}/timeline` }, allowed: ['planner'] },
      { call: { method: 'POST', path: `/v1/referrals/${referralId}/replay` }, allowed: ['planner', 'admin'] },
      { call: { method: 'POST', path: '/v1/consents', body: permitConsent(probation.participantId, clinic.id, ['housing']) }, allowed: ['compliance'] },
      { call: { method: 'POST', path: '/v1/consents', body: fhirConsent(probation.participantId, clinic.id), fhir: true }, allowed: ['compliance'] },
      { call: { method: 'GET', path: `/v1/consents?participantId=${probation.participantId}` }, allowed: ['compliance'] },
      { call: { method: 'GET', path: `/v1/consents/${consentId}` }, allowed: ['compliance'] },
      { call: { method: 'GET', path: `/v1/consents/${consentId}`, accept: FHIR_JSON }, allowed: ['compliance'] },
      { call: { method: 'POST', path: `/v1/consents/${consentId}/revoke`, body: { reason: 'escalation' } }, allowed: ['compliance'] },
      { call: { method: 'GET', path: `/v1/participants/${probation.participantId}/access?recipient=${housing.id}&purpose=treatment` }, allowed: ['compliance'] },
      { call: { method: 'GET', path: `/v1/participants/${probation.participantId}/disclosures` }, allowed: ['compliance'] },
      { call: { method: 'GET', path: '/v1/audit/verify' }, allowed: ['compliance', 'admin'] },
    ];
    /** Each role's token, of the organisations that own or receive the objects: only the role is wrong. */
    const tokens = (): Record<Role, string> => ({ admin: hub.adminToken, planner: probation.planner, partner: housing.token, compliance: probation.compliance });

    for (const role of ['partner', 'planner', 'compliance', 'admin'] as const) {
      it(`answers the ${role} role 403 on every route that is not its own, changing nothing`, async () => {
        const before = await protectedState();
        const refused: string[] = [];
        for (const { call, allowed } of routes()) {
          if (allowed.includes(role)) continue;
          const response = await send(tokens()[role], call);
          expect(response.status, `${role}: ${describeCall(call)} → ${JSON.stringify(response.body)}`).toBe(403);
          expectProblem(response, 403);
          refused.push(describeCall(call));
        }
        expect(refused.length).toBeGreaterThan(role === 'admin' ? 8 : 10);
        expect(await protectedState()).toEqual(before);
      });
    }

    it('gives no role a way in through the token endpoint: a client may ask only for its own role’s scope', async () => {
      const key = await generateClientKey('ES256');
      const created = await hub.api.request('POST', '/v1/clients', { token: hub.adminToken, body: { organizationId: housing.id, role: 'partner', jwks: key.publicJwks } });
      for (const scope of ['hub/admin', 'hub/planner', 'hub/compliance', 'hub/partner hub/admin', 'hub/*', 'admin']) {
        const response = await hub.api.request('POST', '/oauth/token', {
          raw: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await signAssertion(created.body.clientId, key.privateJwk),
            scope,
          }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(response.status, scope).toBe(400);
        expect(response.body.error).toBe('invalid_scope');
      }
    });
  });

  describe("object-level access: organisation B's valid tokens on organisation A's objects (404)", () => {
    /** Every object-scoped route, with a valid request, and the tokens of other organisations whose role may call it. */
    const attempts = (): { call: Call; strangers: [string, string][] }[] => {
      const planners: [string, string][] = [['court planner', court.planner], ['housing planner', housing.planner]];
      const partners: [string, string][] = [['court partner', court.partner], ['clinic partner', clinic.token]];
      const compliance: [string, string][] = [['court compliance', court.compliance], ['housing compliance', housing.compliance]];
      return [
        { call: { method: 'GET', path: `/v1/referrals/${referralId}` }, strangers: [...planners, ...partners] },
        { call: { method: 'POST', path: `/v1/referrals/${referralId}/events`, body: { type: 'cancelled' } }, strangers: planners },
        { call: { method: 'POST', path: `/v1/referrals/${referralId}/events`, body: { type: 'received' } }, strangers: partners },
        { call: { method: 'GET', path: `/v1/referrals/${referralId}/timeline` }, strangers: planners },
        { call: { method: 'POST', path: `/v1/referrals/${referralId}/replay` }, strangers: planners },
        { call: { method: 'GET', path: `/v1/participants/${probation.participantId}` }, strangers: [...planners, ...compliance] },
        { call: { method: 'GET', path: `/v1/consents/${consentId}` }, strangers: compliance },
        { call: { method: 'GET', path: `/v1/consents/${consentId}`, accept: FHIR_JSON }, strangers: compliance },
        { call: { method: 'POST', path: `/v1/consents/${consentId}/revoke`, body: { reason: 'not mine' } }, strangers: compliance },
        { call: { method: 'GET', path: `/v1/consents?participantId=${probation.participantId}` }, strangers: compliance },
        { call: { method: 'GET', path: `/v1/participants/${probation.participantId}/access?recipient=${housing.id}&purpose=treatment` }, strangers: compliance },
        { call: { method: 'GET', path: `/v1/participants/${probation.participantId}/disclosures` }, strangers: compliance },
        { call: { method: 'POST', path: '/v1/consents', body: permitConsent(probation.participantId, court.id, ['identity', 'justice']) }, strangers: compliance },
        { call: { method: 'POST', path: '/v1/consents', body: fhirConsent(probation.participantId, court.id), fhir: true }, strangers: compliance },
        { call: { method: 'POST', path: '/v1/referrals', body: referralInput(probation.participantId, court.id) }, strangers: planners },
      ];
    };
    /** The same call for an id nothing has: the answers must not tell the two apart. */
    const ghost = (call: Call): Call => ({
      ...call,
      path: call.path
        .replace(referralId, 'ref_AAAAAAAAAAAAAAAAAAAAAA')
        .replace(consentId, 'con_AAAAAAAAAAAAAAAAAAAAAA')
        .replaceAll(probation.participantId, 'par_AAAAAAAAAAAAAAAAAAAAAA'),
      body: call.body === undefined ? undefined : JSON.parse(JSON.stringify(call.body).replaceAll(probation.participantId, 'par_AAAAAAAAAAAAAAAAAAAAAA')),
    });

    it('answers 404 on every object-scoped route, exactly as for an object that does not exist, and changes nothing', async () => {
      const before = await protectedState();
      let tried = 0;
      for (const { call, strangers } of attempts()) {
        for (const [who, token] of strangers) {
          const response = await send(token, call);
          expect(response.status, `${who}: ${describeCall(call)} → ${JSON.stringify(response.body)}`).toBe(404);
          expectProblem(response, 404);
          // Nothing of the object in the answer, and no difference from a miss.
          expect(JSON.stringify(response.body)).not.toMatch(/Rivera|Jordan|housing/);
          const miss = await send(token, ghost(call));
          expect(response.body, `${who}: ${describeCall(call)} differs from a miss`).toEqual(miss.body);
          tried += 1;
        }
      }
      expect(tried).toBeGreaterThanOrEqual(30);
      expect(await protectedState()).toEqual(before);
    });

    it('keeps another organisation’s objects out of every list', async () => {
      for (const [token, path] of [
        [court.partner, '/v1/referrals?limit=200'],
        [housing.planner, `/v1/referrals?partnerId=${housing.id}`],
        [clinic.token, `/v1/referrals?participantId=${probation.participantId}`],
      ] as const) {
        const response = await hub.api.request('GET', path, { token });
        expect(response.status).toBe(200);
        expect(JSON.stringify(response.body.items)).not.toContain(referralId);
      }
    });
  });

  describe('JWT header tricks on the bearer token', () => {
    let server: Awaited<ReturnType<typeof trap>>;
    beforeAll(async () => {
      server = await trap();
    });
    afterAll(async () => {
      await server?.close();
    });

    const callWith = (token: string) => hub.api.request('GET', `/v1/organizations/${probation.id}`, { token });
    const expectRefused = async (token: string, what: string) => {
      const response = await callWith(token);
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(401);
      expectProblem(response, 401);
    };
    /** The claims of a token this hub really issued to A's planner. */
    const issuedClaims = () => JSON.parse(Buffer.from(probation.planner.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    /** Signs `claims` with the hub's own key under a chosen protected header. */
    async function hubSigned(header: Record<string, unknown>, claims: Record<string, unknown> = issuedClaims(), crit?: Record<string, boolean>) {
      const { signer } = hub.running.hub.signingKeys;
      const protectedHeader = Object.fromEntries(Object.entries({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt', ...header }).filter(([, v]) => v !== undefined));
      return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader(protectedHeader as { alg: string })
        .sign(signer.key, crit ? { crit } : undefined);
    }

    it('accepts the untouched token, and the hub’s own re-signed claims (the tricks below are all that differs)', async () => {
      expect((await callWith(probation.planner)).status).toBe(200);
      expect((await callWith(await hubSigned({}))).status).toBe(200);
    });

    it('refuses alg none with a payload copied from a real token', async () => {
      const { kid } = hub.running.hub.signingKeys.signer;
      const [, payload, signature] = probation.planner.split('.');
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        await expectRefused(`${b64({ alg, kid, typ: 'at+jwt' })}.${payload}.`, `alg ${alg}`);
        await expectRefused(`${b64({ alg, kid, typ: 'at+jwt' })}.${payload}.${signature}`, `alg ${alg} with the original signature`);
      }
      await expectRefused(`${probation.planner.split('.')[0]}.${payload}.`, 'the real header without its signature');
    });

    it('refuses a kid that names no key of the hub, however it is spelled', async () => {
      for (const kid of ['does-not-exist', '', '../../../../dev/null', "' OR '1'='1", '__proto__', 'constructor', `${hub.running.hub.signingKeys.signer.kid} `, 'x'.repeat(5000)]) {
        await expectRefused(await hubSigned({ kid }), `kid ${JSON.stringify(kid).slice(0, 40)}`);
      }
      await expectRefused(await hubSigned({ kid: undefined }), 'no kid');
    });

    it('ignores jku, x5u and an embedded jwk: never fetched, never trusted', async () => {
      const attacker = await generateClientKey('ES256');
      const { d: _d, ...attackerPublic } = attacker.privateJwk;
      const attackerKey = await importJWK(attacker.privateJwk, 'ES256');
      const forged = (header: Record<string, unknown>) =>
        new CompactSign(new TextEncoder().encode(JSON.stringify(issuedClaims())))
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: attacker.privateJwk.kid!, ...header })
          .sign(attackerKey);
      await expectRefused(await forged({ jku: `${server.url}/jwks.json` }), 'attacker key announced by jku');
      await expectRefused(await forged({ x5u: `${server.url}/cert.pem` }), 'attacker key announced by x5u');
      await expectRefused(await forged({ jwk: attackerPublic }), 'attacker key embedded as jwk');
      await expectRefused(await forged({ jku: `${server.url}/jwks.json`, kid: hub.running.hub.signingKeys.signer.kid }), 'attacker key under the hub kid, with jku');
      // The same headers on a token the hub did sign change nothing: they are not looked at.
      expect((await callWith(await hubSigned({ jku: `${server.url}/jwks.json`, x5u: `${server.url}/cert.pem` }))).status).toBe(200);
      expect(server.hits).toEqual([]);
    });

    it('refuses a token whose typ is not at+jwt', async () => {
      for (const typ of ['JWT', 'jwt', 'JOSE', 'dpop+jwt', 'secevent+jwt', '']) await expectRefused(await hubSigned({ typ }), `typ ${typ}`);
      await expectRefused(await hubSigned({ typ: undefined }), 'no typ');
    });

    /** Any protected header at all, signed with the hub's key by hand (jose refuses to sign some of these). */
    async function rawSigned(header: Record<string, unknown>) {
      const { signer } = hub.running.hub.signingKeys;
      expect(signer.alg).toBe('ES256');
      const input = `${b64({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt', ...header })}.${b64(issuedClaims())}`;
      const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.key, new TextEncoder().encode(input));
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    }

    it('refuses a token with critical header parameters it does not understand', async () => {
      expect((await callWith(await rawSigned({}))).status).toBe(200);
      await expectRefused(await hubSigned({ crit: ['urn:example:must-understand'], 'urn:example:must-understand': true }, issuedClaims(), { 'urn:example:must-understand': true }), 'crit extension');
      for (const crit of [['urn:example:must-understand'], ['exp'], ['alg'], [], 'exp', [1], ['b64']]) {
        await expectRefused(await rawSigned({ crit, 'urn:example:must-understand': true, exp: 1 }), `crit ${JSON.stringify(crit)}`);
      }
      await expectRefused(await rawSigned({ crit: ['b64'], b64: false }), 'unencoded payload (b64: false)');
    });

    it('refuses claims edited after signing: a role, an organisation, a lifetime', async () => {
      const [header, , signature] = probation.planner.split('.');
      for (const edit of [{ role: 'admin' }, { org: court.id }, { role: 'compliance', scope: 'hub/compliance' }, { exp: Math.floor(Date.now() / 1000) + 86_400 }, { sub: 'hub-admin', org: null, role: 'admin' }]) {
        await expectRefused(`${header}.${b64({ ...issuedClaims(), ...edit })}.${signature}`, `edited ${JSON.stringify(edit)}`);
      }
    });

    it('refuses HS256 keyed with the hub’s published public key (algorithm confusion on the bearer)', async () => {
      const published = (await hub.api.request('GET', '/.well-known/jwks.json')).body.keys[0] as JWK;
      const pem = await exportSPKI((await importJWK({ ...published, use: undefined }, published.alg!, { extractable: true })) as CryptoKey);
      for (const secret of [pem, JSON.stringify(published), published.x!]) {
        const forged = await new SignJWT(issuedClaims()).setProtectedHeader({ alg: 'HS256', kid: published.kid!, typ: 'at+jwt' }).sign(new TextEncoder().encode(secret));
        await expectRefused(forged, 'HS256 with the public key');
      }
    });
  });

  describe('SSRF: partner URLs that point inside the network are refused (400 naming the field)', () => {
    const TARGETS = [
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://localhost:8080/admin',
      'http://localhost./',
      'http://127.0.0.1/',
      'http://127.1/',
      'http://0177.0.0.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0x7f.0.0.1/',
      'http://0/',
      'http://0.0.0.0:6379/',
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[::1]/',
      'http://[::]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[fe80::1]/',
      'https://user:pass@127.0.0.1:5432/',
    ];
    const adapters = (url: string) => [
      { adapter: { type: 'webhook', url }, field: 'adapter.url' },
      { adapter: { type: 'fhir', baseUrl: url }, field: 'adapter.baseUrl' },
      { adapter: { type: 'fhir', baseUrl: 'https://93.184.216.34/fhir', auth: { type: 'smart', tokenUrl: url, clientId: 'hub' } }, field: 'adapter.auth.tokenUrl' },
    ];

    it('on registration and on a patch, for every private, loopback, link-local or metadata address form', async () => {
      const before = await protectedState();
      for (const url of TARGETS) {
        for (const { adapter, field } of adapters(url)) {
          const created = await hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'SSRF', kind: 'other', adapter } });
          expect(created.status, `POST ${url}: ${JSON.stringify(created.body)}`).toBe(400);
          expectProblem(created, 400, field);
          const patched = await hub.api.request('PATCH', `/v1/organizations/${clinic.id}`, { token: hub.adminToken, body: { adapter } });
          expect(patched.status, `PATCH ${url}: ${JSON.stringify(patched.body)}`).toBe(400);
          expectProblem(patched, 400, field);
        }
      }
      expect(await protectedState()).toEqual(before);
    });

    it('refuses a host that does not resolve with a 400 naming the field, not a 500', async () => {
      const before = await protectedState();
      for (const { adapter, field } of adapters('https://no-such-partner.invalid/hooks')) {
        const response = await hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'Typo', kind: 'other', adapter } });
        expectProblem(response, 400, field);
      }
      expect(await protectedState()).toEqual(before);
    });

    it('accepts a public address, so the guard is not a blanket refusal', async () => {
      for (const { adapter } of adapters('https://93.184.216.34/hooks')) {
        const response = await hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'Public Partner', kind: 'other', adapter } });
        expect(response.status, JSON.stringify(response.body)).toBe(201);
      }
    });

    it('refuses a client whose jwksUri points inside the network, at registration (400 naming jwksUri), writing nothing', async () => {
      const clients = async () => Number((await hub.db.sql`SELECT count(*) FROM clients`)[0]!.count);
      const before = await clients();
      for (const url of TARGETS) {
        const created = await hub.api.request('POST', '/v1/clients', { token: hub.adminToken, body: { organizationId: housing.id, role: 'partner', jwksUri: url } });
        expect(created.status, `${url}: ${JSON.stringify(created.body)}`).toBe(400);
        expectProblem(created, 400, 'jwksUri');
      }
      const typo = await hub.api.request('POST', '/v1/clients', { token: hub.adminToken, body: { organizationId: housing.id, role: 'partner', jwksUri: 'https://no-such-keys.invalid/jwks.json' } });
      expectProblem(typo, 400, 'jwksUri');
      expect(await clients()).toBe(before);
    });

    it('never fetches a stored jwksUri that points inside the network (a name that resolved elsewhere when registered)', async () => {
      const server = await trap();
      try {
        const key = await generateClientKey('ES256');
        // As if registered while its name resolved to a public address: the check at connect time still holds.
        const clientId = 'cli_RebindRebindRebind01';
        await hub.db.sql`INSERT INTO clients (client_id, organization_id, role, jwks, jwks_uri) VALUES (${clientId}, ${housing.id}, 'partner', NULL, ${`${server.url}/jwks.json`})`;
        const response = await hub.api.request('POST', '/oauth/token', {
          raw: new URLSearchParams({
            grant_type: 'client_credentials',
            client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
            client_assertion: await signAssertion(clientId, key.privateJwk),
          }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('invalid_client');
        expect(server.hits).toEqual([]);
      } finally {
        await server.close();
      }
    });
  });

  describe('security headers and closed CORS', () => {
    const expectSecurityHeaders = (headers: Headers | http.IncomingHttpHeaders, what: string) => {
      const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined)) ?? null;
      expect(get('x-content-type-options'), what).toBe('nosniff');
      expect(get('x-frame-options'), what).toMatch(/^(DENY|SAMEORIGIN)$/);
      expect(get('referrer-policy'), what).toBe('no-referrer');
      expect(get('strict-transport-security'), what).toMatch(/max-age=\d+/);
      expect(get('cross-origin-resource-policy'), what).toBe('same-origin');
      expect(get('x-powered-by'), what).toBeNull();
    };

    it('sends them on every kind of answer: success, problem, OAuth error, missing route', async () => {
      const answers: [string, ApiResponse][] = [
        ['200 healthz', await hub.api.request('GET', '/healthz')],
        ['200 /v1', await hub.api.request('GET', `/v1/organizations/${probation.id}`, { token: probation.planner })],
        ['201 /v1', await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: adultParticipant })],
        ['400 problem', await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: { name: 1 } })],
        ['400 deep JSON', await hub.api.request('POST', '/v1/participants', { token: probation.planner, raw: '['.repeat(100) + ']'.repeat(100) })],
        ['401 problem', await hub.api.request('GET', '/v1/organizations')],
        ['403 problem', await hub.api.request('GET', '/v1/organizations', { token: probation.planner })],
        ['404 problem', await hub.api.request('GET', `/v1/referrals/ref_AAAAAAAAAAAAAAAAAAAAAA`, { token: probation.planner })],
        ['404 no route', await hub.api.request('GET', '/nothing-here')],
        ['400 OAuth', await hub.api.request('POST', '/oauth/token', { raw: 'grant_type=password', headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
        ['200 jwks', await hub.api.request('GET', '/.well-known/jwks.json')],
        ['200 openapi', await hub.api.request('GET', '/openapi.json')],
      ];
      for (const [what, response] of answers) {
        expectSecurityHeaders(response.headers, what);
        if (response.status >= 400 && !what.includes('OAuth')) expect(response.headers.get('content-type'), what).toContain('application/problem+json');
      }
    });

    it('marks answers that can carry case data as not to be stored', async () => {
      for (const response of [
        await hub.api.request('GET', `/v1/organizations/${probation.id}`, { token: probation.planner }),
        await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: adultParticipant }),
      ]) {
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('allows no cross-origin caller: no Access-Control-Allow-* on requests or preflights', async () => {
      const base = hub.running.url!;
      const origin = 'https://evil.example';
      const requests: [string, string, Record<string, string>][] = [
        ['GET', `/v1/organizations/${probation.id}`, { authorization: `Bearer ${probation.planner}` }],
        ['GET', '/v1/referrals', { authorization: `Bearer ${probation.planner}` }],
        ['GET', '/.well-known/smart-configuration', {}],
        ['GET', '/openapi.json', {}],
        ['OPTIONS', '/v1/referrals', { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }],
        ['OPTIONS', `/v1/consents/${consentId}/revoke`, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' }],
        ['OPTIONS', '/oauth/token', { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }],
        ['OPTIONS', '/v1/organizations', { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }],
      ];
      for (const [method, path, headers] of requests) {
        for (const from of [origin, 'null', PUBLIC_URL]) {
          const response = await rawRequest(base, method, path, { origin: from, ...headers });
          const what = `${method} ${path} from ${from} → ${response.status}`;
          const cors = Object.keys(response.headers).filter((h) => h.startsWith('access-control-'));
          expect(cors, what).toEqual([]);
          expect(response.status, what).toBeLessThan(500);
          if (method === 'OPTIONS') expect(response.status, what).toBeGreaterThanOrEqual(400);
          expectSecurityHeaders(response.headers, what);
        }
      }
    });
  });

  describe('rate limit', () => {
    let limited: TestHub;
    let planner: string;
    let colleague: string;
    let otherOrg: string;
    let orgId: string;
    let otherOrgId: string;

    /** Setup calls on a hub limited to 5 per second: wait out a 429 rather than fail. */
    async function patiently(call: () => Promise<ApiResponse>) {
      for (;;) {
        const response = await call();
        if (response.status !== 429) return response;
        await new Promise((resolve) => setTimeout(resolve, 1100));
      }
    }
    async function clientOf(organizationId: string) {
      const key = await generateClientKey('ES256');
      const created = await patiently(() => limited.api.request('POST', '/v1/clients', { token: limited.adminToken, body: { organizationId, role: 'planner', jwks: key.publicJwks } }));
      return limited.api.token(created.body.clientId, key.privateJwk);
    }

    beforeAll(async () => {
      limited = await startTestHub({ HUB_RATE_LIMIT_RPS: '5' });
      orgId = (await patiently(() => limited.api.request('POST', '/v1/organizations', { token: limited.adminToken, body: { name: 'Busy Agency', kind: 'probation', adapter: { type: 'portal' } } }))).body.id;
      otherOrgId = (await patiently(() => limited.api.request('POST', '/v1/organizations', { token: limited.adminToken, body: { name: 'Quiet Agency', kind: 'court', adapter: { type: 'portal' } } }))).body.id;
      planner = await clientOf(orgId);
      colleague = await clientOf(orgId);
      otherOrg = await clientOf(otherOrgId);
      // A fresh second for the test itself.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    });
    afterAll(async () => {
      await limited?.stop();
    });

    it('answers a burst from one client with 429 problems carrying Retry-After, writes nothing for them, and leaves other clients alone', async () => {
      const participants = async () => Number((await limited.db.sql`SELECT count(*) FROM participants`)[0]!.count);
      const before = await participants();
      const started = Date.now();
      const burst = Array.from({ length: 24 }, () => limited.api.request('POST', '/v1/participants', { token: planner, body: adultParticipant }));
      const others = [
        limited.api.request('GET', `/v1/organizations/${orgId}`, { token: colleague }),
        limited.api.request('GET', `/v1/organizations/${orgId}`, { token: colleague }),
        limited.api.request('GET', `/v1/organizations/${otherOrgId}`, { token: otherOrg }),
        limited.api.request('GET', `/v1/organizations/${otherOrgId}`, { token: otherOrg }),
      ];
      const [mine, theirs] = await Promise.all([Promise.all(burst), Promise.all(others)]);
      // The limit counts per one-second window; a slow machine may spread the burst over more than one.
      const windows = Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1;

      const limitedAnswers = mine.filter((r) => r.status === 429);
      const created = mine.filter((r) => r.status === 201);
      expect(limitedAnswers.length + created.length).toBe(mine.length);
      expect(created.length).toBeLessThanOrEqual(5 * windows);
      expect(limitedAnswers.length).toBeGreaterThanOrEqual(Math.min(14, 24 - 5 * windows));
      expect(limitedAnswers.length).toBeGreaterThan(0);
      for (const response of limitedAnswers) {
        expectProblem(response, 429);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
      expect(await participants()).toBe(before + created.length);
      // Another client of the same organisation, and a client of another, are not limited by this one.
      for (const response of theirs) expect(response.status, JSON.stringify(response.body)).toBe(200);

      // Retry-After is honest: after it, the client gets through again.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await limited.api.request('GET', `/v1/organizations/${orgId}`, { token: planner })).status).toBe(200);
    });
  });
});
