import type { JWK } from 'jose';
import postgres from 'postgres';
import { onTestFailed } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { TEST_SERVER_URL, type TestDatabase } from '../support/db.js';
import { adultParticipant, fullCaseFile, permitConsent } from '../support/fixtures.js';
import { Api, testEnv, type ApiResponse } from '../support/hub.js';
import { spawnHub, type HubProcess } from '../support/process-hub.js';
import { startWebhookReceiver, type ReceivedWebhook, type ReceiverResponse, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Shared pieces of the fault-injection suite (`npm run test:faults`): the hub runs as separate
 * processes (bin/hub.ts, HUB_ROLE=gateway and HUB_ROLE=worker), partners are real HTTP servers in
 * the test process, and every test ends with the same counts.
 */

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Keys and settings for hub processes on `databaseUrl`, with the gateway on `port`. */
export async function faultEnv(databaseUrl: string, port: number, overrides: Record<string, string> = {}) {
  const publicUrl = `http://localhost:${port}`;
  const { env, adminKey } = await testEnv({ url: databaseUrl } as TestDatabase, {
    HUB_PUBLIC_URL: publicUrl,
    HUB_RATE_LIMIT_RPS: '0',
    // info: a worker process is ready when it logs "workers running" (spawnHub).
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    ...overrides,
  });
  return { env, adminKey, publicUrl };
}

export const startGateway = (env: Record<string, string>, port: number) => spawnHub({ ...env, HUB_ROLE: 'gateway' }, port);
export const startWorker = (env: Record<string, string>) => spawnHub({ ...env, HUB_ROLE: 'worker' }, 0);

/** Prints the end of each hub process's log if the running test fails (call inside a test). */
export function showLogsOnFailure(processes: HubProcess[]): void {
  onTestFailed(() => {
    for (const p of processes) console.error(`--- hub process ${p.child.pid}, exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'} ---\n${p.output().slice(-4_000)}`);
  });
}

/** Waits for a process to exit after `signal`; the exit code (null after a kill) and how long it took. */
export async function signalAndWait(proc: HubProcess, signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const code = await proc.kill(signal);
  return { code, ms: Date.now() - started };
}

export type Behaviour = (message: ReceivedWebhook) => ReceiverResponse | Promise<ReceiverResponse>;

export interface Partner {
  url: string;
  receiver: WebhookReceiver;
  /** What the partner answers; a test changes it as the fault comes and goes. */
  behaviour: Behaviour;
  /** Every `referral.created` the partner answered 2xx: referral id → webhook-ids, and how often. */
  acked: Map<string, Map<string, number>>;
  /** Arrival times (ms) of every `referral.created` attempt per referral id. */
  arrivals: Map<string, number[]>;
}

export const referralIdOf = (message: ReceivedWebhook) => (message.json as { data?: { referral?: { id?: string } } })?.data?.referral?.id;
const isCreated = (message: ReceivedWebhook) => (message.json as { type?: string })?.type === 'referral.created';

export async function startPartner(behaviour: Behaviour = () => 204): Promise<Partner> {
  const partner: Partner = { url: '', receiver: undefined as unknown as WebhookReceiver, behaviour, acked: new Map(), arrivals: new Map() };
  partner.receiver = await startWebhookReceiver({
    secret: SECRET,
    respond: (message) => {
      const id = referralIdOf(message);
      if (id && isCreated(message)) {
        if (!partner.arrivals.has(id)) partner.arrivals.set(id, []);
        partner.arrivals.get(id)!.push(Date.now());
      }
      const record = (answer: ReceiverResponse) => {
        if (id && isCreated(message) && message.signatureValid && typeof answer === 'number' && answer >= 200 && answer < 300) {
          const ids = partner.acked.get(id) ?? new Map<string, number>();
          const webhookId = String(message.headers['webhook-id']);
          ids.set(webhookId, (ids.get(webhookId) ?? 0) + 1);
          partner.acked.set(id, ids);
        }
        return answer;
      };
      const answer = partner.behaviour(message);
      return answer instanceof Promise ? answer.then(record) : record(answer);
    },
  });
  partner.url = partner.receiver.url;
  return partner;
}

export interface Counts {
  /** Referrals the gateway answered 201. */
  sent: number;
  /** Of those, how many a partner acknowledged (2xx, valid signature). */
  delivered: number;
  /** Of those, how many reached a partner under more than one webhook-id (must be 0). */
  duplicates: number;
  /** Answered 201 but never acknowledged (must be 0). */
  lost: number;
}

/**
 * The suite's counts. Beyond them: `redelivered` counts acknowledgements again under the SAME
 * webhook-id (at-least-once delivery; a partner deduplicates on the id), and `unanswered` counts
 * referrals a partner received that the client never saw a 201 for (the hub died after commit).
 * `earlier`: referrals of an earlier phase of the same test, left out.
 */
export function tally(sentIds: Iterable<string>, partners: Partner[], earlier: Iterable<string> = []): Counts & { redelivered: number; unanswered: number } {
  const sent = new Set(sentIds);
  const before = new Set(earlier);
  const webhookIds = new Map<string, Set<string>>();
  for (const partner of partners) {
    for (const message of partner.receiver.received) {
      const id = referralIdOf(message);
      if (!id || !isCreated(message)) continue;
      if (!webhookIds.has(id)) webhookIds.set(id, new Set());
      webhookIds.get(id)!.add(String(message.headers['webhook-id']));
    }
  }
  const acked = new Map<string, number>();
  for (const partner of partners) {
    for (const [id, ids] of partner.acked) {
      if (!before.has(id)) acked.set(id, (acked.get(id) ?? 0) + [...ids.values()].reduce((a, b) => a + b, 0));
    }
  }
  const delivered = [...sent].filter((id) => acked.has(id)).length;
  return {
    sent: sent.size,
    delivered,
    duplicates: [...sent].filter((id) => (webhookIds.get(id)?.size ?? 0) > 1).length,
    lost: sent.size - delivered,
    redelivered: [...acked.values()].reduce((a, n) => a + n - 1, 0),
    unanswered: [...acked.keys()].filter((id) => !sent.has(id)).length,
  };
}

/** Every id in `ids` acknowledged by some partner. */
export const allDelivered = (ids: Iterable<string>, partners: Partner[]) => [...ids].every((id) => partners.some((p) => p.acked.has(id)));

/** One line per test, for the CI log and the closing note. */
export function summary(fault: string, expectation: string, counts: Record<string, unknown>, startedAt: number): void {
  const figures = Object.entries(counts)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.info(`[fault] ${fault} | expect: ${expectation} | ${figures} | ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

export interface Setup {
  api: Api;
  admin: string;
  planner: string;
  participantId: string;
  partnerIds: string[];
}

/** A referring organisation, a participant who consents to each partner, and one webhook partner per URL. */
export async function setUpReferrals(baseUrl: string, publicUrl: string, adminKey: JWK, partnerUrls: string[]): Promise<Setup> {
  const api = new Api(baseUrl, publicUrl);
  const admin = await api.token('hub-admin', adminKey);
  const newClient = async (organizationId: string, role: string) => {
    const key = await generateClientKey();
    const created = await api.request('POST', '/v1/clients', { token: admin, body: { organizationId, role, jwks: key.publicJwks } });
    if (created.status !== 201) throw new Error(`client: ${created.status} ${JSON.stringify(created.body)}`);
    return api.token(created.body.clientId, key.privateJwk);
  };
  const organization = async (body: Record<string, unknown>) => {
    const created = await api.request('POST', '/v1/organizations', { token: admin, body });
    if (created.status !== 201) throw new Error(`organization: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id as string;
  };
  const probation = await organization({ name: 'Probation', kind: 'probation', adapter: { type: 'portal' } });
  const partnerIds: string[] = [];
  for (const [i, url] of partnerUrls.entries()) {
    partnerIds.push(await organization({ name: `Housing ${i + 1}`, kind: 'housing', adapter: { type: 'webhook', url, secret: SECRET } }));
  }
  const planner = await newClient(probation, 'planner');
  const compliance = await newClient(probation, 'compliance');
  const participant = await api.request('POST', '/v1/participants', { token: planner, body: adultParticipant });
  if (participant.status !== 201) throw new Error(`participant: ${participant.status}`);
  for (const partnerId of partnerIds) {
    const consent = await api.request('POST', '/v1/consents', { token: compliance, body: permitConsent(participant.body.id, partnerId, ['identity', 'housing']) });
    if (consent.status !== 201) throw new Error(`consent: ${consent.status} ${JSON.stringify(consent.body)}`);
  }
  return { api, admin, planner, participantId: participant.body.id, partnerIds };
}

/** Two sections, both consented: enough for a delivery, and cheap enough for hundreds of them. */
const CASE_FILE = (() => {
  const full = fullCaseFile() as Record<string, unknown>;
  return { identity: full.identity, housing: full.housing };
})();

export const referralBody = (s: Setup, partnerId = s.partnerIds[0]!) => ({
  participantId: s.participantId,
  partnerId,
  service: 'housing',
  purpose: 'care_coordination',
  reason: 'fault injection',
  caseFile: CASE_FILE,
});

export const postReferral = (s: Setup, partnerId?: string): Promise<ApiResponse> =>
  s.api.request('POST', '/v1/referrals', { token: s.planner, body: referralBody(s, partnerId) });

/** Runs `task` `total` times, `concurrency` at a time. */
export async function inParallel<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/**
 * Drops the database at `databaseUrl` (closing whatever is connected to it) and creates it again
 * empty, under the same name: "start over", or a restore onto a fresh server.
 */
export async function recreateDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^\w+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = postgres(TEST_SERVER_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}
