import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { adultParticipant, permitConsent } from '../support/fixtures.js';
import { agency, portalPartner, referralInput, type Agency } from '../support/scenario.js';

describe('listing referrals: newest first, cursor pages, filters', () => {
  let hub: TestHub;
  let probation: Agency;
  let housing: { id: string; token: string };
  let clinic: { id: string; token: string };
  let otherParticipantId: string;
  /** Oldest first, as created. */
  const sent: { id: string; partnerId: string; participantId: string }[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await agency(hub, 'County Probation');
    housing = await portalPartner(hub, 'Eastside Housing');
    clinic = await portalPartner(hub, 'Riverside Clinic');
    otherParticipantId = (await hub.api.request('POST', '/v1/participants', { token: probation.planner, body: { ...adultParticipant, name: { given: ['Sam'], family: 'Lee' } } })).body.id;
    // Housing may see the first participant; nobody may see the second yet.
    expect((await hub.api.request('POST', '/v1/consents', { token: probation.compliance, body: permitConsent(probation.participantId, housing.id, ['identity']) })).status).toBe(201);
    const plan = [
      [probation.participantId, housing.id], [probation.participantId, housing.id], [otherParticipantId, housing.id],
      [probation.participantId, clinic.id], [probation.participantId, housing.id],
    ] as const;
    for (const [participantId, partnerId] of plan) {
      const created = await hub.api.request('POST', '/v1/referrals', { token: probation.planner, body: referralInput(participantId, partnerId) });
      expect(created.status).toBe(201);
      sent.push({ id: created.body.id, partnerId, participantId });
    }
  });
  afterAll(async () => {
    await hub?.stop();
  });

  async function allPages(token: string, query: string, limit: number) {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/referrals?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await hub.api.request('GET', path, { token });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.items.length).toBeLessThanOrEqual(limit);
      pages.push(response.body.items.map((r: any) => r.id));
      cursor = response.body.nextCursor;
      if (pages.length > 20) throw new Error('the cursor never ends');
    } while (cursor !== null);
    return pages;
  }

  it('walks five referrals in three pages of two, newest first, without repeats', async () => {
    const pages = await allPages(probation.planner, '', 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(sent.map((r) => r.id).reverse());
  });

  it('ends with nextCursor null when the last page is exactly full', async () => {
    const pages = await allPages(probation.planner, '', 5);
    expect(pages).toEqual([sent.map((r) => r.id).reverse()]);
  });

  it('filters by participant, partner and status', async () => {
    const ids = (filter: (r: (typeof sent)[number]) => boolean) => sent.filter(filter).map((r) => r.id).reverse();
    expect((await allPages(probation.planner, `&participantId=${otherParticipantId}`, 2)).flat()).toEqual(ids((r) => r.participantId === otherParticipantId));
    expect((await allPages(probation.planner, `&partnerId=${clinic.id}`, 2)).flat()).toEqual(ids((r) => r.partnerId === clinic.id));
    const waiting = (await allPages(probation.planner, '&status=awaiting_consent', 2)).flat();
    expect(waiting).toEqual(ids((r) => r.participantId === otherParticipantId || r.partnerId === clinic.id));
    const list = await hub.api.request('GET', '/v1/referrals?status=awaiting_consent', { token: probation.planner });
    for (const item of list.body.items) expect(item.status).toBe('awaiting_consent');
    expect((await allPages(probation.planner, `&status=completed`, 2)).flat()).toEqual([]);
  });

  it("pages a partner's inbox: only what was delivered to it", async () => {
    const delivered = sent.filter((r) => r.partnerId === housing.id && r.participantId === probation.participantId).map((r) => r.id).reverse();
    const pages = await eventually(async () => {
      const walked = await allPages(housing.token, '', 2);
      return walked.flat().length === delivered.length ? walked : undefined;
    }, 10_000, 'portal delivery');
    expect(pages.flat()).toEqual(delivered);
    expect((await allPages(clinic.token, '', 2)).flat()).toEqual([]);
  });

  it('does not skip referrals created within the same millisecond', async () => {
    // Postgres keeps microseconds; a cursor written in milliseconds must not lose the rest of that millisecond.
    const [a, b, c] = sent.slice(0, 3).map((r) => r.id);
    await hub.db.sql`UPDATE referrals SET created_at = '2026-01-01T00:00:00.123456Z' WHERE id = ${a!}`;
    await hub.db.sql`UPDATE referrals SET created_at = '2026-01-01T00:00:00.123300Z' WHERE id = ${b!}`;
    await hub.db.sql`UPDATE referrals SET created_at = '2026-01-01T00:00:00.123100Z' WHERE id = ${c!}`;
    const pages = await allPages(probation.planner, '', 1);
    expect(pages.flat().sort()).toEqual(sent.map((r) => r.id).sort());
    expect(pages.flat().slice(-3)).toEqual([a, b, c]);
  });

  it('pages the organisation directory the same way, same millisecond included', async () => {
    await hub.db.sql`UPDATE organizations o SET created_at = timestamptz '2026-01-01T00:00:00.777Z' + x.n * interval '100 microseconds'
      FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM organizations) x WHERE o.id = x.id`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: any = await hub.api.request('GET', `/v1/organizations?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: hub.adminToken });
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((o: any) => o.id));
      cursor = response.body.nextCursor;
    } while (cursor !== null && seen.length < 20);
    expect(seen.sort()).toEqual([probation.id, housing.id, clinic.id].sort());
  });
});
