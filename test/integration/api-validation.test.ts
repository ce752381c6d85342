import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { agency, deliveredReferral, expectProblem, portalPartner, referralInput, rowCounts, type Agency } from '../support/scenario.js';

describe('bad input is a 400 problem naming the field, and writes nothing', () => {
  let hub: TestHub;
  let probation: Agency;
  let partner: { id: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await agency(hub, 'County Probation');
    partner = await portalPartner(hub, 'Eastside Housing');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  /** Sends a referral (or the raw text) and checks the problem and that no row appeared. */
  async function rejectsReferral(request: { body?: unknown; raw?: string; headers?: Record<string, string> }, status: number, ...paths: string[]) {
    const before = await rowCounts(hub);
    const response = await hub.api.request('POST', '/v1/referrals', { token: probation.planner, ...request });
    expectProblem(response, status, ...paths);
    expect(await rowCounts(hub)).toEqual(before);
    return response;
  }
  const referral = (extra: Record<string, unknown> = {}) => referralInput(probation.participantId, partner.id, extra);

  it('rejects malformed JSON as a 400 about the body', async () => {
    await rejectsReferral({ raw: '{"participantId": "par_', headers: { 'content-type': 'application/json' } }, 400, 'body');
  });

  it('rejects a missing body', async () => {
    await rejectsReferral({ headers: { 'content-type': 'application/json' } }, 400, 'body');
    await rejectsReferral({}, 400, 'participantId', 'partnerId', 'caseFile');
    await rejectsReferral({ raw: 'null', headers: { 'content-type': 'application/json' } }, 400);
    await rejectsReferral({ raw: '[]', headers: { 'content-type': 'application/json' } }, 400);
  });

  it('answers a body that is not JSON (wrong content-type) with 415, naming the content-type', async () => {
    await rejectsReferral({ raw: 'participantId=x&partnerId=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'content-type');
    await rejectsReferral({ raw: JSON.stringify(referral()), headers: { 'content-type': 'text/plain' } }, 415, 'content-type');
  });

  it('names each field of the wrong type', async () => {
    await rejectsReferral({ body: referral({ reason: 42, priority: true, caseFile: 'everything' }) }, 400, 'reason', 'priority', 'caseFile');
  });

  it('rejects an unknown service or purpose', async () => {
    await rejectsReferral({ body: referral({ service: 'astrology' }) }, 400, 'service');
    await rejectsReferral({ body: referral({ purpose: 'marketing' }) }, 400, 'purpose');
  });

  it('rejects an unknown organisation kind', async () => {
    const before = await rowCounts(hub);
    const response = await hub.api.request('POST', '/v1/organizations', { token: hub.adminToken, body: { name: 'Oracle', kind: 'fortune_telling', adapter: { type: 'portal' } } });
    expectProblem(response, 400, 'kind');
    expect(await rowCounts(hub)).toEqual(before);
  });

  it('rejects an unknown top-level field', async () => {
    await rejectsReferral({ body: referral({ urgency: 'high' }) }, 400, 'urgency');
    const smuggled = JSON.stringify(referral()).replace(/^\{/, '{"__proto__":{"status":"delivered"},');
    await rejectsReferral({ raw: smuggled, headers: { 'content-type': 'application/json' } }, 400, '__proto__');
  });

  it('rejects an unknown case-file category instead of keeping it', async () => {
    const response = await rejectsReferral({ body: referral({ caseFile: { astrology: { sign: 'Leo' } } }) }, 400, 'caseFile.astrology');
    expect(JSON.stringify(response.body)).not.toContain('Leo');
  });

  it('rejects a note without a category, and one with an unknown category', async () => {
    await rejectsReferral({ body: referral({ caseFile: { notes: [{ text: 'struggles with alcohol' }] } }) }, 400, 'caseFile.notes.0.category');
    await rejectsReferral({ body: referral({ caseFile: { notes: [{ category: 'gossip', text: 'x' }] } }) }, 400, 'caseFile.notes.0.category');
  });

  it('rejects malformed ids in the body and in the path', async () => {
    await rejectsReferral({ body: referral({ participantId: "par_1' OR '1'='1", partnerId: 'nope' }) }, 400, 'participantId', 'partnerId');
    expectProblem(await hub.api.request('GET', '/v1/referrals/not-an-id', { token: probation.planner }), 400, 'id');
    expectProblem(await hub.api.request('GET', '/v1/participants/par_short', { token: probation.planner }), 400, 'id');
    const before = await rowCounts(hub);
    expectProblem(await hub.api.request('POST', '/v1/referrals/..%2Fparticipants/events', { token: probation.planner, body: { type: 'cancelled' } }), 400, 'id');
    expect(await rowCounts(hub)).toEqual(before);
  });

  it('answers a well-formed id of nothing with 404, also when the body names it', async () => {
    await rejectsReferral({ body: referral({ partnerId: 'org_AAAAAAAAAAAAAAAAAAAAAA' }) }, 404, 'partnerId');
    expectProblem(await hub.api.request('GET', '/v1/referrals/ref_AAAAAAAAAAAAAAAAAAAAAA', { token: probation.planner }), 404);
  });

  it('rejects a cursor the hub did not issue', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cursors = ['garbage!', forged({ a: 1 }), forged(['1', 'ref_AAAAAAAAAAAAAAAAAAAAAA']), forged(['2026-01-01T00:00:00.000Z', '\u0000']), forged(['2026-01-01T00:00:00.000Z', "x' OR 1=1"])];
    for (const cursor of cursors) {
      expectProblem(await hub.api.request('GET', `/v1/referrals?cursor=${encodeURIComponent(cursor)}`, { token: probation.planner }), 400, 'cursor');
    }
  });

  it('answers a cursor whose instant PostgreSQL cannot hold, or the hub never wrote, with a 400 naming the cursor', async () => {
    // JavaScript round-trips these instants exactly; PostgreSQL's timestamptz refuses the first
    // three with an error, and no row of this hub was created before 1970.
    const cursor = (instant: string) => Buffer.from(JSON.stringify([instant, 'ref_AAAAAAAAAAAAAAAAAAAAAA'])).toString('base64url');
    const instants = ['+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '1969-12-31T23:59:59.999Z'];
    const lists = [
      ['/v1/referrals', probation.planner],
      ['/v1/referrals', partner.token],
      ['/v1/organizations', hub.adminToken],
    ] as const;
    for (const [path, token] of lists) {
      for (const instant of instants) {
        expectProblem(await hub.api.request('GET', `${path}?cursor=${cursor(instant)}`, { token }), 400, 'cursor');
      }
      // The range ends are still cursors: the lists answer them.
      for (const instant of ['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        expect((await hub.api.request('GET', `${path}?cursor=${cursor(instant)}`, { token })).status, `${path} ${instant}`).toBe(200);
      }
    }
  });

  it('rejects a limit outside 1..200', async () => {
    for (const limit of ['0', '201', '-1', 'ten', '1.5']) {
      expectProblem(await hub.api.request('GET', `/v1/referrals?limit=${limit}`, { token: probation.planner }), 400, 'limit');
    }
    expect((await hub.api.request('GET', '/v1/referrals?limit=200', { token: probation.planner })).status).toBe(200);
  });

  it('rejects an unknown status filter', async () => {
    expectProblem(await hub.api.request('GET', '/v1/referrals?status=lost', { token: probation.planner }), 400, 'status');
  });

  it('answers a body over 1 MiB with 413, as a problem', async () => {
    const big = referral({ reason: 'x'.repeat(1024 * 1024 + 10) });
    const response = await rejectsReferral({ body: big }, 413);
    // The rest of the body is never read, so the connection must not be reused for the next request.
    expect(response.headers.get('connection')).toBe('close');
    for (let i = 0; i < 3; i++) expect((await hub.api.request('GET', '/v1/referrals', { token: probation.planner })).status).toBe(200);
  });

  it('counts a chunked body (no Content-Length) as it arrives: 413 over the limit, accepted under it', async () => {
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024) controller.enqueue(bytes.subarray(at, at + 64 * 1024));
          controller.close();
        },
      });
      return fetch(`${hub.api.baseUrl}/v1/referrals`, {
        method: 'POST', body, duplex: 'half',
        headers: { authorization: `Bearer ${probation.planner}`, 'content-type': 'application/json' },
      } as RequestInit);
    };
    const before = await rowCounts(hub);
    const tooBig = await chunked(JSON.stringify(referral({ reason: 'x'.repeat(1024 * 1024 + 10) })));
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await rowCounts(hub)).toEqual(before);
    const fits = await chunked(JSON.stringify(referral()));
    expect(fits.status, await fits.clone().text()).toBe(201);
  });

  it('rejects an unknown consent category and a period that ends before it starts', async () => {
    const consent = (extra: Record<string, unknown>) => ({ ...permitConsent(probation.participantId, partner.id, ['identity']), ...extra });
    const post = (body: unknown) => hub.api.request('POST', '/v1/consents', { token: probation.compliance, body });
    const before = await rowCounts(hub);
    expectProblem(await post(consent({ provision: { type: 'permit', categories: ['astrology'] } })), 400, 'provision.categories.0');
    expectProblem(await post(consent({ period: { start: '2026-06-01T00:00:00Z', end: '2026-01-01T00:00:00Z' } })), 400, 'period.end');
    expectProblem(await post(consent({ basis: 'hunch' })), 400, 'basis');
    expectProblem(await post(consent({ provision: { type: 'permit', purposes: ['marketing'] } })), 400, 'provision.purposes.0');
    expect(await rowCounts(hub)).toEqual(before);
  });

  it('rejects a participant with a malformed birth date or unknown race code', async () => {
    const before = await rowCounts(hub);
    const post = (body: unknown) => hub.api.request('POST', '/v1/participants', { token: probation.planner, body });
    expectProblem(await post({ ...adultParticipant, birthDate: '12/04/1990' }), 400, 'birthDate');
    expectProblem(await post({ ...adultParticipant, race: ['martian'] }), 400, 'race.0');
    expect(await rowCounts(hub)).toEqual(before);
  });

  it('refuses dates the calendar does not have (year 0) instead of failing in the database', async () => {
    const before = await rowCounts(hub);
    const year0 = '0000-06-01T00:00:00Z';
    expectProblem(await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: { ...adultParticipant, birthDate: '0000-06-01' } }), 400, 'birthDate');
    const consent = { ...permitConsent(probation.participantId, partner.id, ['identity']), period: { start: year0 } };
    expectProblem(await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: consent }), 400, 'period.start');
    const early = { ...permitConsent(probation.participantId, partner.id, ['identity']), period: { start: '0001-01-01T00:30:00+01:00' } };
    expectProblem(await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: early }), 400, 'period.start');
    expect(await rowCounts(hub)).toEqual(before);
    expectProblem(await hub.api.request('GET', `/v1/participants/${probation.participantId}/disclosures?from=${year0}`, { token: probation.compliance }), 400, 'from');
  });

  it('refuses text with a NUL character (which the database cannot store), naming the field', async () => {
    const nul = 'Eastside\u0000Housing';
    const before = await rowCounts(hub);
    const admin = (method: string, path: string, body: unknown) => hub.api.request(method, path, { token: hub.adminToken, body });
    expectProblem(await admin('POST', '/v1/organizations', { name: nul, kind: 'housing', adapter: { type: 'portal' } }), 400, 'name');
    expectProblem(await admin('PATCH', `/v1/organizations/${partner.id}`, { name: nul }), 400, 'name');
    expectProblem(await admin('POST', '/v1/clients', { organizationId: partner.id, role: 'partner', jwks: { keys: [{ kty: nul }] } }), 400, 'jwks.keys.0.kty');
    expectProblem(await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: { ...adultParticipant, externalId: nul } }), 400, 'externalId');
    const consent = { ...permitConsent(probation.participantId, partner.id, ['identity']), documentRef: nul };
    expectProblem(await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: consent }), 400, 'documentRef');
    await rejectsReferral({ body: referral({ caseFile: { housing: { [nul]: 'x' } } }) }, 400, 'caseFile.housing."Eastside\\u0000Housing"');
    expect(await rowCounts(hub)).toEqual(before);
    expect((await admin('GET', `/v1/organizations/${partner.id}`, undefined)).body.name).toBe('Eastside Housing');
  });

  describe('events on a delivered referral', () => {
    let referralId: string;
    beforeAll(async () => {
      referralId = await deliveredReferral(hub, probation, partner);
    });
    const postEvent = (body: unknown) => hub.api.request('POST', `/v1/referrals/${referralId}/events`, { token: partner.token, body });
    const eventCount = async () => Number((await hub.db.sql`SELECT count(*) FROM referral_events WHERE referral_id = ${referralId}`)[0]!.count);

    it('rejects a rejection without a reason, naming reason, and leaves the status alone', async () => {
      const before = await eventCount();
      expectProblem(await postEvent({ type: 'rejected' }), 400, 'reason');
      expectProblem(await postEvent({ type: 'rejected', reason: 'no\u0000beds' }), 400, 'reason');
      expect(await eventCount()).toBe(before);
      expect((await hub.api.request('GET', `/v1/referrals/${referralId}`, { token: probation.planner })).body.status).toBe('delivered');
    });

    it('rejects an intake_scheduled without appointmentAt, and an unknown event type', async () => {
      expect((await postEvent({ type: 'accepted' })).status).toBe(201);
      const before = await eventCount();
      expectProblem(await postEvent({ type: 'intake_scheduled' }), 400, 'appointmentAt');
      expectProblem(await postEvent({ type: 'intake_scheduled', appointmentAt: 'next tuesday' }), 400, 'appointmentAt');
      expectProblem(await postEvent({ type: 'teleported' }), 400, 'type');
      expectProblem(await postEvent({ type: 'progress_note', note: { text: 'relapsed' } }), 400, 'note.category');
      expectProblem(await postEvent({ type: 'intake_scheduled', appointmentAt: '0000-12-01T10:00:00Z' }), 400, 'appointmentAt');
      expectProblem(await postEvent({ type: 'attended', occurredAt: '0000-12-01T10:00:00Z' }), 400, 'occurredAt');
      expect(await eventCount()).toBe(before);
    });
  });
});
