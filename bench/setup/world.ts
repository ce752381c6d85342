import type { JWK } from 'jose';
import type { Sql } from 'postgres';
import { benchCaseFile, benchReason } from '../lib/case-file.js';
import { freePort } from '../../dev/proc.js';
import type { BenchApi, BenchClient } from './api.js';

/** Everything the scenarios need, created through the public API as a deployment would be. */
export interface World {
  referrerId: string;
  planner: BenchClient;
  compliance: BenchClient;
  /** A program manager of the referrer: reads the indicators report (B6). */
  manager: BenchClient;
  /** A partner that pulls from the API (portal adapter): partner reads (B1) and intake (B2). */
  inboxId: string;
  inboxReader: BenchClient;
  /** Partners taking signed webhooks on loopback, for the end-to-end scenario (B3). */
  webhookPartners: { id: string; port: number; secret: string }[];
  /** Participants enrolled and consented through the API; intake and end to end refer them. */
  participantIds: string[];
  /** A referral created and delivered through the API: the template bulk rows are copied from. */
  templateReferralId: string;
}

export const consentFor = (participantId: string) => ({
  participantId,
  basis: 'consent',
  period: { start: new Date(Date.now() - 86_400_000).toISOString(), end: new Date(Date.now() + 365 * 86_400_000).toISOString() },
  signatures: [{ signer: 'participant', name: 'Jordan Rivera', signedAt: new Date().toISOString(), method: 'electronic' }],
  // Everything to housing providers for care coordination, except substance-use data (42 CFR Part 2).
  provision: { type: 'permit', actors: [{ organizationKind: 'housing' }], purposes: ['care_coordination'], provisions: [{ type: 'deny', categories: ['substance_use'] }] },
});

export const referralBody = (participantId: string, partnerId: string) => ({
  participantId, partnerId, service: 'housing', purpose: 'care_coordination', reason: benchReason, caseFile: benchCaseFile(),
});

export async function buildWorld(api: BenchApi, sql: Sql, adminKey: JWK, opts: { participants: number; webhookPartners: number }): Promise<World> {
  const admin = await api.token('hub-admin', adminKey);
  const org = (body: unknown) => api.call<{ id: string; webhookSecret?: string }>('POST', '/v1/organizations', admin, body, 201);

  const referrer = await org({ name: 'Bench County Probation', kind: 'probation', adapter: { type: 'portal' } });
  const planner = await api.client(admin, referrer.id, 'planner');
  const compliance = await api.client(admin, referrer.id, 'compliance');
  const manager = await api.client(admin, referrer.id, 'manager');
  const inbox = await org({ name: 'Bench Inbox Housing', kind: 'housing', adapter: { type: 'portal' } });
  const inboxReader = await api.client(admin, inbox.id, 'partner');
  const webhookPartners: World['webhookPartners'] = [];
  for (let i = 0; i < opts.webhookPartners; i++) {
    const port = await freePort();
    const partner = await org({ name: `Bench Webhook Housing ${i + 1}`, kind: 'housing', adapter: { type: 'webhook', url: `http://127.0.0.1:${port}/hooks` } });
    webhookPartners.push({ id: partner.id, port, secret: partner.webhookSecret! });
  }

  const plannerToken = await api.token(planner.clientId, planner.key);
  const complianceToken = await api.token(compliance.clientId, compliance.key);
  const participantIds: string[] = [];
  for (let i = 0; i < opts.participants; i++) {
    const participant = await api.call<{ id: string }>('POST', '/v1/participants', plannerToken, { name: { given: ['Jordan'], family: `Rivera-${i}` }, birthDate: '1990-04-12' }, 201);
    await api.call('POST', '/v1/consents', complianceToken, consentFor(participant.id), 201);
    participantIds.push(participant.id);
  }

  const template = await api.call<{ id: string }>('POST', '/v1/referrals', plannerToken, referralBody(participantIds[0]!, inbox.id), 201);
  await waitDelivered(sql, template.id);
  return { referrerId: referrer.id, planner, compliance, manager, inboxId: inbox.id, inboxReader, webhookPartners, participantIds, templateReferralId: template.id };
}

async function waitDelivered(sql: Sql, referralId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await sql<{ delivered: boolean }[]>`SELECT delivered_at IS NOT NULL AS delivered FROM referrals WHERE id = ${referralId}`;
    if (row?.delivered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the template referral ${referralId} was not delivered within 30 s: is the worker consuming?`);
}
