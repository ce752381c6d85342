import { expect } from 'vitest';
import { deleteQueueKeys } from './cleanup.js';
import { adultParticipant, fullCaseFile, permitConsent } from './fixtures.js';
import { eventually, type TestHub } from './hub.js';
import { startWebhookReceiver, type ReceivedWebhook, type ReceiverResponse, type WebhookReceiver } from './webhook-receiver.js';

/**
 * Builders for delivery tests: a planning agency, webhook partners whose answers a test scripts,
 * and readers for what the planner and the partner each saw.
 */

export const PARTNER_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** One webhook POST as the partner saw it, and what it answered. */
export interface Post {
  webhookId: string;
  type: 'referral.created' | 'referral.cancelled';
  referralId: string;
  answer: ReceiverResponse;
  at: number;
  signatureValid: boolean;
}

/** Decides the answer to a post; `earlier` are the posts with the same webhook-id before it. */
export type Behaviour = (post: Omit<Post, 'answer'>, earlier: Post[]) => ReceiverResponse;

export interface WebhookPartner {
  id: string;
  receiver: WebhookReceiver;
  posts: Post[];
  /** What the partner answers from now on; tests change it while deliveries run. */
  behaviour: Behaviour;
  postsFor(referralId: string, type?: Post['type']): Post[];
}

export const answer =
  (response: ReceiverResponse): Behaviour =>
  () =>
    response;

/** Fails the first `n` posts of each message with `failure`, then accepts. */
export const recoversAfter =
  (n: number, failure: ReceiverResponse = 500): Behaviour =>
  (_post, earlier) =>
    earlier.length < n ? failure : 204;

const accepted = (a: ReceiverResponse) => typeof a === 'number' && a >= 200 && a < 300;

export async function webhookPartner(hub: TestHub, name: string, behaviour: Behaviour = answer(204)): Promise<WebhookPartner> {
  const posts: Post[] = [];
  const partner = { posts, behaviour } as WebhookPartner;
  partner.receiver = await startWebhookReceiver({
    secret: PARTNER_SECRET,
    respond(msg: ReceivedWebhook) {
      const json = msg.json as { type: Post['type']; data: { referral: { id: string } } };
      const seen = { webhookId: String(msg.headers['webhook-id']), type: json.type, referralId: json.data.referral.id, at: Date.now(), signatureValid: msg.signatureValid };
      const reply = partner.behaviour(seen, posts.filter((p) => p.webhookId === seen.webhookId));
      posts.push({ ...seen, answer: reply });
      return reply;
    },
  });
  partner.id = (await hub.organization({ name, kind: 'housing', adapter: { type: 'webhook', url: partner.receiver.url, secret: PARTNER_SECRET } })).id;
  partner.postsFor = (referralId, type = 'referral.created') => posts.filter((p) => p.referralId === referralId && p.type === type);
  return partner;
}

export interface Agency {
  id: string;
  planner: string;
  compliance: string;
}

export async function planningAgency(hub: TestHub, name = 'County Probation'): Promise<Agency> {
  const org = await hub.organization({ name, kind: 'probation', adapter: { type: 'portal' } }, 'planner');
  return { id: org.id, planner: org.token, compliance: await hub.client(org.id, 'compliance') };
}

export async function newParticipant(hub: TestHub, agency: Agency): Promise<string> {
  const participant = await hub.api.request('POST', '/v1/participants', { token: agency.planner, body: adultParticipant });
  expect(participant.status).toBe(201);
  return participant.body.id;
}

/** A participant of the agency, and a consent letting `partnerIds` see identity, contact and housing. */
export async function consentingParticipant(hub: TestHub, agency: Agency, partnerIds: string[]) {
  const participantId = await newParticipant(hub, agency);
  return { participantId, consentId: await grantConsent(hub, agency, participantId, partnerIds) };
}

export async function grantConsent(hub: TestHub, agency: Agency, participantId: string, partnerIds: string[]): Promise<string> {
  const consent = await hub.api.request('POST', '/v1/consents', {
    token: agency.compliance,
    body: { ...permitConsent(participantId, partnerIds[0]!, ['identity', 'contact', 'housing']), provision: {
      type: 'permit', actors: partnerIds.map((organizationId) => ({ organizationId })), purposes: ['care_coordination'], categories: ['identity', 'contact', 'housing'],
    } },
  });
  expect(consent.status, JSON.stringify(consent.body)).toBe(201);
  return consent.body.id;
}

export async function revokeConsent(hub: TestHub, agency: Agency, consentId: string, reason = 'participant withdrew') {
  const revoked = await hub.api.request('POST', `/v1/consents/${consentId}/revoke`, { token: agency.compliance, body: { reason } });
  expect(revoked.status).toBe(200);
}

export async function refer(hub: TestHub, agency: Agency, participantId: string, partnerId: string, reason = 'needs stable housing'): Promise<{ id: string; status: string }> {
  const created = await hub.api.request('POST', '/v1/referrals', {
    token: agency.planner,
    body: { participantId, partnerId, service: 'housing', purpose: 'care_coordination', reason, caseFile: fullCaseFile() },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/** The referral as the planner sees it (GET /v1/referrals/{id}). */
export async function plannerView(hub: TestHub, agency: Agency, id: string) {
  const r = await hub.api.request('GET', `/v1/referrals/${id}`, { token: agency.planner });
  expect(r.status).toBe(200);
  return r.body as { id: string; status: string; lastError: string | null; deliveredAt: string | null };
}

export async function timeline(hub: TestHub, agency: Agency, id: string) {
  const r = await hub.api.request('GET', `/v1/referrals/${id}/timeline`, { token: agency.planner });
  expect(r.status).toBe(200);
  return r.body.items as { type: string; reason?: string }[];
}

export async function statusBecomes(hub: TestHub, agency: Agency, id: string, status: string, timeoutMs = 10_000) {
  return eventually(
    async () => {
      const view = await plannerView(hub, agency, id);
      return view.status === status ? view : undefined;
    },
    timeoutMs,
    `referral ${id} to become ${status}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What happened to a batch of referrals, as the planner and the partner saw it. A duplicate is a
 * second webhook-id for one referral, or a second accepted (2xx) post of one webhook-id.
 */
export async function deliveryCounts(hub: TestHub, partner: WebhookPartner, ids: string[]) {
  const rows = await hub.db.sql<{ status: string }[]>`SELECT status FROM referrals WHERE id = ANY(${ids})`;
  const delivered = rows.filter((r) => r.status === 'delivered').length;
  let duplicates = 0;
  for (const id of ids) {
    const posts = partner.postsFor(id);
    const webhookIds = new Set(posts.map((p) => p.webhookId));
    duplicates += Math.max(0, webhookIds.size - 1) + Math.max(0, posts.filter((p) => accepted(p.answer)).length - 1);
  }
  const reached = ids.filter((id) => partner.postsFor(id).some((p) => accepted(p.answer))).length;
  return { sent: ids.length, delivered, reachedPartner: reached, duplicates, lost: ids.length - reached };
}

/**
 * Removes every Redis key of this hub's queue prefix: Redis "loses everything", for this hub only
 * (other test files share the server). Its own connection, so it works while the hub is down.
 */
export async function loseQueuedJobs(hub: TestHub): Promise<number> {
  return deleteQueueKeys(hub.env.REDIS_URL!, hub.env.HUB_QUEUE_PREFIX!);
}

export async function outboxRows(hub: TestHub, referralIds: string[]) {
  return hub.db.sql<{ id: string; referral_id: string; kind: string; relayed_at: Date | null; done_at: Date | null; attempts: number; outcome: string | null }[]>`
    SELECT id, referral_id, kind, relayed_at, done_at, attempts, outcome FROM outbox WHERE referral_id = ANY(${referralIds}) ORDER BY id`;
}

/**
 * Waits until nothing more can be sent for `referralIds`: every outbox row of theirs is finished
 * (`done_at` and `outcome` recorded) and no delivery job for those rows is waiting, delayed or
 * running in BullMQ. An attempt claims its row only while it is not finished
 * (store/outbox.ts claimAttempt), so what the partner has received by then is all it will receive
 * for these rows: the final fact a "nothing more was sent" assertion needs, instead of a pause.
 * Answers the outbox rows, in the order they were written.
 */
export async function deliveriesSettled(hub: TestHub, referralIds: string[], timeoutMs = 10_000) {
  return eventually(
    async () => {
      const rows = await outboxRows(hub, referralIds);
      if (rows.length === 0 || rows.some((r) => !r.done_at)) return undefined;
      const outboxIds = new Set(rows.map((r) => String(r.id)));
      const pending = await hub.running.hub.deliveries.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
      return pending.some((job) => job && outboxIds.has(String(job.data.outboxId))) ? undefined : rows;
    },
    timeoutMs,
    `the deliveries of ${referralIds.join(', ')} to settle`,
  );
}

/** Posts `n` referrals, a few at a time, as a busy planning office would. */
export async function referMany(hub: TestHub, agency: Agency, participantId: string, partnerId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 5) {
    const batch = Array.from({ length: Math.min(5, n - i) }, (_, j) => refer(hub, agency, participantId, partnerId, `referral ${i + j + 1} of ${n}`));
    ids.push(...(await Promise.all(batch)).map((r) => r.id));
  }
  return ids;
}

/** Waits until every one of `ids` is `delivered`, reading the database (cheaper than n GETs a poll). */
export async function allDelivered(hub: TestHub, ids: string[], timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      const rows = await hub.db.sql`SELECT 1 FROM referrals WHERE id = ANY(${ids}) AND status = 'delivered'`;
      return rows.length === ids.length ? true : undefined;
    },
    timeoutMs,
    `${ids.length} referrals delivered`,
  );
}

/** Waits until the relay has put every delivery of `ids` on the queue. */
export async function allRelayed(hub: TestHub, ids: string[], timeoutMs = 10_000): Promise<void> {
  await eventually(async () => ((await outboxRows(hub, ids)).every((r) => r.relayed_at !== null) ? true : undefined), timeoutMs, 'every delivery queued');
}
