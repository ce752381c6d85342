import type { JWK } from 'jose';
import { connect } from '../../db/connect.js';
import { startFhirServer, type FhirTestServer } from '../fhir-server.js';
import { HubClient } from '../hub-client.js';
import { inPool, limiter } from '../pool.js';
import { REFERRAL_STATUSES } from '../../schemas/vocabulary.js';
import { backdate, type BackdateResult } from './backdate.js';
import { LEAD_AGENCIES, PROVIDERS, providersOf } from './network.js';
import { runFhirPartner, runPortalPartners, startWebhookPartners, type PartnerContext, type WebhookPartners } from './partners.js';
import { planFor, type ParticipantPlan } from './plan.js';
import { seedParticipant, zeroCounts, type PendingRevocation, type SeedCounts } from './seed.js';
import { loadState, saveState, stateFileFor } from './state.js';
import { Tracker } from './tracker.js';
import { DemoClients, ensureOrganisations, ensureStaff, ensureTargets, webhookSecretFrom, type Organisations } from './world.js';

/**
 * `npm run demo`: a county reentry network on a running hub, through its public API. Starts the
 * partners' receivers (one webhook server, a FHIR server per FHIR partner), registers the network,
 * enrols the participants with their consents and referrals, lets every partner play its part,
 * revokes what was to be revoked, optionally back-dates, and returns what it did. The receivers
 * keep running (the partners keep answering) until `close()`.
 */

export interface DemoOptions {
  /** Where the hub answers. */
  hub: string;
  /** The hub's HUB_PUBLIC_URL (client assertions name it); the same as `hub` unless said. */
  publicUrl?: string;
  participants: number;
  adminClientId: string;
  adminKey: JWK;
  /** Where the state file goes (the hub's data folder). */
  dataDir: string;
  /** Participants seeded at once. */
  concurrency: number;
  /** The hub's database, for `--backdate`; no back-dating when absent. */
  backdateDatabaseUrl?: string;
  pollIntervalSeconds: number;
  /** How long to wait for the partners to finish their part. */
  settleTimeoutMs: number;
  log(line: string): void;
}

export interface DemoSummary {
  organisationsCreated: number;
  staffCreated: number;
  targetsCreated: number;
  seed: SeedCounts;
  revoked: number;
  unsettled: number;
  backdated?: BackdateResult;
  statuses: Record<string, number>;
  orgIds: Record<string, string>;
  seconds: number;
}

export interface DemoRun {
  summary: DemoSummary;
  webhooks: WebhookPartners;
  close(): Promise<void>;
}

export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const started = Date.now();
  const today = new Date();
  const api = new HubClient(opts.hub.replace(/\/$/, ''), (opts.publicUrl ?? opts.hub).replace(/\/$/, ''));
  const admin = () => api.token(opts.adminClientId, opts.adminKey);
  const stateFile = stateFileFor(opts.dataDir, opts.hub);
  const state = await loadState(stateFile, opts.hub);
  const tracker = new Tracker();
  let stopping = false;
  const stopped = () => stopping;

  // The partners' context needs the clients, which need the organisations, which need the
  // receivers' addresses: `clients` is set just below, before any partner can act.
  let clients: DemoClients | undefined;
  const ctx: PartnerContext = {
    api, tracker, limit: limiter(16), log: opts.log,
    partnerToken: (key) => clients!.partner(key),
    plannerToken: (t) => clients!.planner(t.participant.agency.key, t.participant.n),
  };
  const secretOf = webhookSecretFrom(state);
  const webhooks = await startWebhookPartners(ctx, providersOf('webhook').map((provider) => ({ provider, secret: () => state.webhookSecrets[provider.key] })));
  const fhirServers = new Map<string, FhirTestServer>();
  for (const p of providersOf('fhir')) fhirServers.set(p.key, await startFhirServer());
  const close = async () => {
    stopping = true;
    await webhooks.close();
    for (const s of fhirServers.values()) await s.close();
  };

  try {
    opts.log(`network: ${LEAD_AGENCIES.length} lead agencies, ${PROVIDERS.length} providers`);
    const orgs: Organisations = await ensureOrganisations(api, await admin(), {
      webhookUrl: (p) => webhooks.urlOf(p.key), webhookSecret: secretOf, fhirBaseUrl: (p) => fhirServers.get(p.key)!.baseUrl, pollIntervalSeconds: opts.pollIntervalSeconds,
    });
    await saveState(stateFile, state);
    clients = new DemoClients(api, admin, state, stateFile, orgs);
    const staffCreated = await ensureStaff(api, await admin(), orgs);

    const plans: ParticipantPlan[] = Array.from({ length: opts.participants }, (_, n) => planFor(n, today));
    const targetsCreated = await ensureTargets(api, await clients.manager(), plans, today);

    // The partners start working as soon as referrals reach them.
    const partnerLoops = [
      runPortalPartners(ctx, providersOf('portal'), stopped),
      ...providersOf('fhir').map((provider) =>
        runFhirPartner(ctx, { provider, id: orgs.ids.get(provider.key)!, server: fhirServers.get(provider.key)!, notifyToken: () => orgs.notifyTokens.get(provider.key) }, stopped)),
    ].map((loop) => loop.catch((error: Error) => opts.log(`a partner stopped: ${error.message}`)));

    const counts = zeroCounts();
    const revocations: PendingRevocation[] = [];
    let done = 0;
    await inPool(plans, opts.concurrency, async (plan) => {
      await seedParticipant(api, clients!, orgs, tracker, ctx, plan, today, counts, revocations);
      if (++done % 500 === 0) opts.log(`  participants ${done} of ${plans.length}`);
    });
    opts.log(`participants: ${counts.participantsCreated} enrolled, ${counts.participantsFound} already there; referrals: ${counts.referralsCreated} sent, ${counts.referralsFound} already there`);

    opts.log(`waiting for the partners to answer ${tracker.unsettled().length} referrals...`);
    const unsettled = await tracker.settled(opts.settleTimeoutMs);
    if (unsettled.length > 0) opts.log(`  ${unsettled.length} referrals still with their partners (the hub may still be delivering them); the receivers keep answering`);

    // Withdrawn consents, once the partners did their part: later reads and reports stop.
    for (const r of revocations) {
      await api.call('POST', `/v1/consents/${r.consentId}/revoke`, await clients.compliance(r.agency), { reason: r.reason }, 200);
    }

    let backdated: BackdateResult | undefined;
    if (opts.backdateDatabaseUrl) {
      const sql = connect(opts.backdateDatabaseUrl, { max: 2 });
      try {
        backdated = await backdate(sql, LEAD_AGENCIES.map((a) => orgs.ids.get(a.key)!));
      } finally {
        await sql.end({ timeout: 5 });
      }
      opts.log(`back-dated ${backdated.referrals} referrals and ${backdated.events} events over the past year`);
    }

    const statuses = await countStatuses(api, clients);
    // The portal and FHIR partners keep watching for as long as the demo runs.
    void partnerLoops;
    return {
      webhooks,
      close,
      summary: {
        organisationsCreated: orgs.created, staffCreated, targetsCreated, seed: counts, revoked: revocations.length, unsettled: unsettled.length,
        ...(backdated ? { backdated } : {}), statuses, orgIds: Object.fromEntries(orgs.ids), seconds: Math.round((Date.now() - started) / 100) / 10,
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Referrals by status as the lead agencies' planners see them, one listing per agency and status, several at once. */
async function countStatuses(api: HubClient, clients: DemoClients): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  const listings = LEAD_AGENCIES.flatMap((agency) => REFERRAL_STATUSES.map((status) => ({ agency, status })));
  await inPool(listings, 6, async ({ agency, status }) => {
    const planner = await clients.planner(agency.key, 0);
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; nextCursor: string | null } = await api.call('GET', `/v1/referrals?status=${status}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, planner, undefined, 200);
      if (page.items.length > 0) statuses[status] = (statuses[status] ?? 0) + page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
  });
  return statuses;
}
