import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { permitConsent } from '../support/fixtures.js';
import { expectProblem, portalPartner, referralInput } from '../support/scenario.js';

/** A birth date `years` and a half ago: that age on any day of the test. */
const bornYearsAgo = (years: number) => new Date(Date.now() - (years + 0.5) * 365.25 * 86_400_000).toISOString().slice(0, 10);
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const FROM = day(-1);
const TO = day(1);

/** Who is referred for housing, and how far each referral gets. */
const PEOPLE = [
  // 14 Black women aged 36: 12 connected (2 of them also complete), 2 rejected.
  ...Array.from({ length: 14 }, (_, i) => ({
    given: `Ada${i}`, gender: 'female', race: ['black_or_african_american'], age: 36,
    events: i < 2 ? ['received', 'rejected'] : i < 4 ? ['received', 'accepted', 'in_progress', 'completed'] : ['received', 'accepted', 'in_progress'],
  })),
  // 3 men aged 26, White and Hispanic or Latino (multiracial), all connected.
  ...Array.from({ length: 3 }, (_, i) => ({ given: `Ben${i}`, gender: 'male', race: ['white', 'hispanic_or_latino'], age: 26, events: ['received', 'accepted', 'in_progress'] })),
  // One nonbinary person aged 70 who gave no race, not acknowledged yet.
  { given: 'Cy', gender: 'nonbinary', race: [] as string[], age: 70, events: [] as string[] },
];

describe('outcome indicators', () => {
  let hub: TestHub;
  let probation: { id: string; token: string };
  let compliance: string;
  let manager: string;
  let partner: { id: string; token: string };
  const participantIds: string[] = [];

  const report = (groupBy: string, token = manager, headers: Record<string, string> = {}) =>
    hub.api.request('GET', `/v1/reports/indicators?from=${FROM}&to=${TO}&groupBy=${groupBy}`, { token, headers });
  const housingRows = async (groupBy: string) => {
    const response = await report(groupBy);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return new Map<string, any>((response.body.rows as any[]).filter((r) => r.service === 'housing').map((r) => [r.group, r]));
  };

  beforeAll(async () => {
    hub = await startTestHub();
    probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    compliance = await hub.client(probation.id, 'compliance');
    manager = await hub.client(probation.id, 'manager');
    partner = await portalPartner(hub, 'Eastside Housing');
    for (const person of PEOPLE) {
      const enrolled = await hub.api.request('POST', '/v1/participants', {
        token: probation.token,
        body: { name: { given: [person.given], family: 'Marker' }, birthDate: bornYearsAgo(person.age), gender: person.gender, race: person.race },
      });
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
      participantIds.push(enrolled.body.id);
      const consent = await hub.api.request('POST', '/v1/consents', { token: compliance, body: permitConsent(enrolled.body.id, partner.id, ['identity', 'housing']) });
      expect(consent.status, JSON.stringify(consent.body)).toBe(201);
      const referral = await hub.api.request('POST', '/v1/referrals', { token: probation.token, body: referralInput(enrolled.body.id, partner.id) });
      expect(referral.status, JSON.stringify(referral.body)).toBe(201);
      const id = referral.body.id as string;
      await eventually(async () => ((await hub.api.request('GET', `/v1/referrals/${id}`, { token: partner.token })).status === 200 ? true : undefined), 10_000, 'delivery');
      for (const type of person.events) {
        const event = await hub.api.request('POST', `/v1/referrals/${id}/events`, { token: partner.token, body: { type, ...(type === 'rejected' ? { reason: 'no vacancy' } : {}) } });
        expect(event.status, JSON.stringify(event.body)).toBe(201);
      }
    }
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('counts unique people referred, connected, completed and rejected per service, against the target covering the start', async () => {
    const target = await hub.api.request('POST', '/v1/targets', { token: manager, body: { service: 'housing', period: { start: day(-30), end: day(335) }, baseline: 1650, target: 2058 } });
    expect(target.status, JSON.stringify(target.body)).toBe(201);
    expect(target.body).toMatchObject({ id: expect.stringMatching(/^tgt_/), service: 'housing', baseline: 1650, target: 2058 });

    const response = await report('none');
    expect(response.body).toMatchObject({ groupBy: 'none', suppression: { threshold: 10, rule: expect.stringContaining('1 to 10') } });
    expect(response.body.method).toBeUndefined();
    const housing = (await housingRows('none')).get('all');
    // 18 referred, 15 connected; 2 completed and 2 rejected are small, so withheld.
    expect(housing).toMatchObject({
      referred: 18, connected: 15, completed: null, rejected: null, slaBreaches: 0,
      baseline: 1650, target: 2058, progress: Math.round((15 / 2058) * 10_000) / 10_000,
    });
    expect(housing.suppressed.sort()).toEqual(['completed', 'rejected']);
    // 17 people were acknowledged: a median over more than 10, in hours since delivery.
    expect(housing.medianHoursToAcknowledge).toEqual(expect.any(Number));
    expect(housing.medianDaysToFirstContact).toBeNull();
  });

  it('groups by race alone or in combination, with multiracial and undisclosed, and withholds the small groups', async () => {
    const response = await report('race');
    expect(response.body.method).toBe('alone_or_in_combination');
    const rows = await housingRows('race');
    expect([...rows.keys()]).toEqual(expect.arrayContaining(['middle_eastern_or_north_african', 'multiracial', 'undisclosed', 'white']));
    expect(rows.get('black_or_african_american')).toMatchObject({ referred: 14, connected: 12 });
    for (const group of ['white', 'hispanic_or_latino', 'multiracial', 'undisclosed']) {
      expect(rows.get(group).referred, group).toBeNull();
      expect(rows.get(group).suppressed, group).toContain('referred');
    }
    expect(rows.get('asian')).toMatchObject({ referred: 0, connected: 0, suppressed: [] });
  });

  it('withholds a companion so that no small count is the total minus the rest', async () => {
    const rows = await housingRows('gender');
    // Connected: 12 women, 3 men. With the total (15) published, the men's 3 alone would be 15 − 12.
    expect(rows.get('male').connected).toBeNull();
    expect(rows.get('female').connected).toBeNull();
    expect(rows.get('female').suppressed).toContain('connected');
    const total = (await housingRows('none')).get('all');
    // Gender groups add up to the total: in no field may exactly one cell be unknown.
    for (const field of ['referred', 'connected', 'completed', 'rejected', 'slaBreaches']) {
      const unknown = [...rows.values()].filter((r) => r[field] === null).length;
      if (total[field] !== null) expect(unknown, field).not.toBe(1);
    }
  });

  it('groups by age at referral and by partner', async () => {
    const ages = await housingRows('age_band');
    expect([...ages.keys()]).toEqual(['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_plus']);
    expect(ages.get('35_44')).toMatchObject({ referred: 14 });
    expect(ages.get('25_34').referred).toBeNull();
    expect(ages.get('65_plus').referred).toBeNull();
    const partners = await housingRows('partner');
    expect([...partners.keys()]).toEqual([partner.id]);
    expect(partners.get(partner.id)).toMatchObject({ referred: 18, connected: 15 });
  });

  it('gives the same rows as CSV, and never a participant id, name or birth date', async () => {
    const csv = await report('none', manager, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe('service,group,referred,connected,completed,rejected,slaBreaches,medianHoursToAcknowledge,medianDaysToFirstContact,baseline,target,progress,suppressed');
    expect(lines.find((l) => l.startsWith('housing,all,'))).toMatch(/^housing,all,18,15,,,0,[\d.]+,,1650,2058,0\.0073,completed rejected$/);
    for (const groupBy of ['none', 'race', 'gender', 'age_band', 'partner']) {
      const text = JSON.stringify((await report(groupBy)).body) + (await report(groupBy, manager, { accept: 'text/csv' })).body;
      for (const id of participantIds) expect(text).not.toContain(id);
      expect(text).not.toContain('Marker');
      for (const person of PEOPLE) expect(text).not.toContain(bornYearsAgo(person.age));
    }
  });

  it('lets a manager read reports, targets and organisations, and nothing about a person', async () => {
    expect((await hub.api.request('GET', `/v1/participants/${participantIds[0]}`, { token: manager })).status).toBe(403);
    expect((await hub.api.request('GET', '/v1/referrals', { token: manager })).status).toBe(403);
    expect((await hub.api.request('GET', `/v1/participants/${participantIds[0]}/disclosures`, { token: manager })).status).toBe(403);
    expect((await hub.api.request('GET', `/v1/consents?participantId=${participantIds[0]}`, { token: manager })).status).toBe(403);
    expect((await hub.api.request('GET', '/v1/audit/verify', { token: manager })).status).toBe(403);
    expect((await hub.api.request('GET', `/v1/organizations/${partner.id}`, { token: manager })).status).toBe(200);
    expect((await hub.api.request('GET', '/v1/organizations', { token: manager })).status).toBe(200);
    expect((await hub.api.request('GET', '/v1/targets', { token: manager })).body.items.length).toBeGreaterThan(0);
    expect((await report('none', compliance)).status).toBe(200);
    expect((await report('none', probation.token)).status).toBe(403);
    expect((await report('none', partner.token)).status).toBe(403);
  });

  it('refuses bad ranges, groupings and targets with the field named, and a second target for the same period', async () => {
    expectProblem(await hub.api.request('GET', `/v1/reports/indicators?from=${TO}&to=${FROM}`, { token: manager }), 400, 'to');
    expectProblem(await hub.api.request('GET', `/v1/reports/indicators?from=${FROM}&to=${TO}&groupBy=ethnicity`, { token: manager }), 400, 'groupBy');
    expectProblem(await hub.api.request('GET', `/v1/reports/indicators?to=${TO}`, { token: manager }), 400, 'from');
    const body = { service: 'mental_health', period: { start: '2026-01-01', end: '2027-01-01' }, baseline: 700, target: 835 };
    expectProblem(await hub.api.request('POST', '/v1/targets', { token: manager, body: { ...body, period: { start: '2026-06-01', end: '2026-01-01' } } }), 400, 'period.end');
    expectProblem(await hub.api.request('POST', '/v1/targets', { token: manager, body: { ...body, target: -1 } }), 400, 'target');
    expectProblem(await hub.api.request('POST', '/v1/targets', { token: manager, body: { ...body, service: 'haircuts' } }), 400, 'service');
    expect((await hub.api.request('POST', '/v1/targets', { token: hub.adminToken, body })).status).toBe(201);
    expectProblem(await hub.api.request('POST', '/v1/targets', { token: manager, body }), 409);
    const audited = await hub.db.sql`SELECT detail FROM audit_log WHERE action = 'target.created'`;
    expect(audited.map((r) => r.detail.service).sort()).toEqual(['housing', 'mental_health']);
  });

  it('fills the report codes of participants enrolled before they were columns, at the next start', async () => {
    // As a participant enrolled before the migration: codes only inside the encrypted record.
    await hub.db.sql`UPDATE participants SET race_codes = '{}', gender_code = NULL, report_codes_filled = false WHERE id = ${participantIds[0]!}`;
    await hub.restart();
    const [row] = await eventually(async () => {
      const rows = await hub.db.sql`SELECT race_codes, gender_code FROM participants WHERE id = ${participantIds[0]!} AND report_codes_filled`;
      return rows.length ? rows : undefined;
    }, 10_000, 'report codes filled');
    expect(row).toMatchObject({ race_codes: ['black_or_african_american'], gender_code: 'female' });
  });
});
