import http from 'node:http';
import type { Task } from '@medplum/fhirtypes';
import { verify } from '../../adapters/index.js';
import type { FhirTestServer } from '../fhir-server.js';
import type { HubClient } from '../hub-client.js';
import { listenLocally } from '../local-http-server.js';
import type { Provider } from './network.js';
import type { Step } from './plan.js';
import { progressNote } from './records.js';
import type { Tracked, Tracker } from './tracker.js';

/**
 * The partners' side of the demo, played the way each kind of partner really works: webhook
 * partners receive signed messages and answer through the API, FHIR partners update the Task on
 * their own server (the hub polls it), and portal partners find referrals in their inbox.
 */

export interface PartnerContext {
  api: HubClient;
  tracker: Tracker;
  partnerToken(providerKey: string): Promise<string>;
  plannerToken(t: Tracked): Promise<string>;
  /** Bounds the requests the partners send at once. */
  limit: <T>(work: () => Promise<T>) => Promise<T>;
  log(line: string): void;
}

const DAY = 86_400_000;

/** The event a step posts through the API. */
function eventBody(t: Tracked, step: Step): Record<string, unknown> {
  switch (step.type) {
    case 'intake_scheduled':
      return { type: step.type, appointmentAt: new Date(Date.now() + 3 * DAY).toISOString() };
    case 'progress_note':
      return { type: step.type, note: progressNote(t.referral) };
    default:
      return { type: step.type, ...(step.reason ? { reason: step.reason } : {}) };
  }
}

/** Posts one step as the partner (or the planner, for a cancellation); false when the state machine refused it. */
export async function postStep(ctx: PartnerContext, t: Tracked, step: Step): Promise<boolean> {
  const token = step.by === 'planner' ? await ctx.plannerToken(t) : await ctx.partnerToken(t.referral.provider.key);
  let answer = await ctx.limit(() => ctx.api.send('POST', `/v1/referrals/${t.referralId}/events`, token, eventBody(t, step)));
  // A webhook partner is told before the hub has heard its 2xx, and the referral is the partner's
  // only once delivered: until then it is not found. A real integration queues and retries too.
  for (let tries = 0; answer.status === 404 && tries < 40; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    answer = await ctx.limit(() => ctx.api.send('POST', `/v1/referrals/${t.referralId}/events`, token, eventBody(t, step)));
  }
  if (answer.status === 201) return true;
  if (answer.status === 409) return false;
  throw new Error(`POST /v1/referrals/${t.referralId}/events (${step.type}): HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
}

/** The rest of a referral's path through the API, one event after the other, then settled. */
export async function advanceViaApi(ctx: PartnerContext, t: Tracked): Promise<void> {
  const steps = t.referral.path.steps;
  while (t.stepsDone < steps.length) {
    const step = steps[t.stepsDone]!;
    if (!(await postStep(ctx, t, step))) {
      ctx.tracker.settle(t, `${step.type} refused`);
      return;
    }
    ctx.tracker.advanced(t);
  }
  ctx.tracker.settle(t);
}

/** The partner takes the referral on and plays its path, unless it already has. */
export function takeOn(ctx: PartnerContext, referralId: string): void {
  const t = ctx.tracker.handOver(referralId);
  if (!t) return;
  advanceViaApi(ctx, t).catch((error: Error) => {
    ctx.log(`  ${t.referral.provider.name}: ${error.message}`);
    ctx.tracker.settle(t, error.message);
  });
}

export interface WebhookPartners {
  urlOf(providerKey: string): string;
  /** Messages received with a valid signature, and without. */
  counts(): { valid: number; invalid: number };
  close(): Promise<void>;
}

/**
 * One small HTTP server for every webhook partner, each on its own path with its own secret. It
 * verifies each Standard Webhooks signature (401 when it does not hold, as receivers should),
 * answers 204 at once and then does the partner's work through the API, as a partner's
 * integration would. A partner whose endpoint is `gone` answers 410, which fails the delivery.
 */
export async function startWebhookPartners(ctx: PartnerContext, partners: { provider: Provider; secret: () => string | undefined }[]): Promise<WebhookPartners> {
  const byPath = new Map(partners.map((p) => [`/partners/${p.provider.key}`, p]));
  let valid = 0;
  let invalid = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const partner = byPath.get(req.url ?? '');
      const secret = partner?.secret();
      if (!partner || !secret) return void res.writeHead(404).end();
      if (partner.provider.endpoint === 'gone') return void res.writeHead(410).end();
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verify(secret, req.headers as Record<string, string>, body)) {
        invalid++;
        return void res.writeHead(401).end();
      }
      valid++;
      res.writeHead(204).end();
      const message = JSON.parse(body) as { type: string; data: { referral: { id: string } } };
      if (message.type === 'referral.created') takeOn(ctx, message.data.referral.id);
    });
  });
  const { port, close } = await listenLocally(server);
  return {
    urlOf: (key) => `http://127.0.0.1:${port}/partners/${key}`,
    counts: () => ({ valid, invalid }),
    close,
  };
}

/** Portal partners look in their inbox (`GET /v1/referrals?status=delivered`) every second and take on what is new. */
export async function runPortalPartners(ctx: PartnerContext, providers: Provider[], stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    for (const provider of providers) {
      const token = await ctx.partnerToken(provider.key);
      let cursor: string | null = null;
      do {
        const query = `/v1/referrals?status=delivered&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: { items: { id: string }[]; nextCursor: string | null } = await ctx.limit(() => ctx.api.call('GET', query, token, undefined, 200));
        for (const item of page.items) takeOn(ctx, item.id);
        cursor = page.nextCursor;
      } while (cursor && !stopped());
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** What a partner's clinician changes on the Task for each step (docs/fhir.md). */
function taskChange(task: Task, step: Step): Task | undefined {
  const reason = step.reason ? { statusReason: { text: step.reason } } : {};
  switch (step.type) {
    case 'received':
      return { ...task, status: 'received' };
    case 'accepted':
      return { ...task, status: 'accepted' };
    case 'rejected':
      return { ...task, status: 'rejected', ...reason };
    case 'in_progress':
      return { ...task, status: 'in-progress' };
    case 'on_hold':
      return { ...task, status: 'on-hold', ...reason };
    case 'completed':
      return { ...task, status: 'completed' };
    case 'failed':
      return { ...task, status: 'failed', ...reason };
    case 'intake_scheduled':
      return {
        ...task, businessStatus: { text: 'intake-scheduled' },
        output: [{ type: { text: 'appointment-at' }, valueDateTime: new Date(Date.now() + 3 * DAY).toISOString() }],
      };
    case 'attended':
      return { ...task, businessStatus: { text: 'attended' } };
    case 'no_show':
      return { ...task, businessStatus: { text: 'no-show' } };
    default:
      return undefined; // a note or a planner's step: through the API
  }
}

const referralIdOf = (task: Task) => task.identifier?.find((i) => i.value?.startsWith('ref_'))?.value;

/**
 * A FHIR partner: in rounds, moves each of its Tasks one step along its path with a real PUT
 * (If-Match) on its own server, asks the hub to poll (the rest-hook notification), and waits
 * until the hub has read past the change before the next step, so that every step is its own
 * Task version and the hub applies each one.
 */
export async function runFhirPartner(
  ctx: PartnerContext, partner: { provider: Provider; id: string; server: FhirTestServer; notifyToken: () => string | undefined }, stopped: () => boolean,
): Promise<void> {
  const { server } = partner;
  while (!stopped()) {
    let changed = 0;
    for (const task of await server.resources<Task>('Task')) {
      const referralId = referralIdOf(task);
      const t = referralId ? (ctx.tracker.get(referralId) ?? undefined) : undefined;
      if (!t || t.settled) continue;
      if (!t.handedOver) {
        // The Task is on the server before the hub has heard the answer and marked the referral
        // delivered; a status set before that would not fit the referral's state. Wait until the
        // partner can see the referral.
        const seen = await ctx.limit(async () => ctx.api.send('GET', `/v1/referrals/${t.referralId}`, await ctx.partnerToken(t.referral.provider.key)));
        if (seen.status !== 200) continue;
        t.handedOver = true;
      }
      const step = t.referral.path.steps[t.stepsDone];
      if (!step) {
        ctx.tracker.settle(t);
        continue;
      }
      const change = taskChange(task, step);
      if (!change) {
        if (await postStep(ctx, t, step)) ctx.tracker.advanced(t);
        else ctx.tracker.settle(t, `${step.type} refused`);
        continue;
      }
      const res = await fetch(`${server.baseUrl}/Task/${task.id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/fhir+json', 'if-match': `W/"${task.meta!.versionId}"` },
        body: JSON.stringify(change),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${partner.provider.name}: PUT Task/${task.id}: HTTP ${res.status}`);
      ctx.tracker.advanced(t);
      changed++;
    }
    if (changed > 0) await hubReadPast(ctx, partner);
    else await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Two Task searches by the hub that began after our changes, the first finished: it has read and applied them. */
async function hubReadPast(ctx: PartnerContext, partner: { id: string; server: FhirTestServer; notifyToken: () => string | undefined }): Promise<void> {
  const mark = partner.server.requests.length;
  const token = partner.notifyToken();
  const notify = async () => {
    if (!token) return;
    const res = await fetch(`${ctx.api.origin}/fhir/notify/${partner.id}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
  };
  await notify();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const searches = partner.server.requests.slice(mark).filter((r) => r.method === 'GET' && r.path.startsWith('/Task'));
    if (searches.length >= 2 && searches[0]!.status !== 0) return;
    if (Date.now() > deadline) throw new Error('the hub did not poll its FHIR partner within 30 s');
    if (searches.length === 1 && searches[0]!.status !== 0) await notify();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
