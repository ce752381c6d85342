import { generateSecret } from '../../adapters/index.js';
import type { Service } from '../../schemas/vocabulary.js';
import type { ApiClientKey, HubClient } from '../hub-client.js';
import { LEAD_AGENCIES, PROVIDERS, readsInbox, type AdapterKind, type LeadAgency, type Provider } from './network.js';
import type { ParticipantPlan } from './plan.js';
import { saveState, type DemoState } from './state.js';

/**
 * The network on the hub, through the admin API: organisations (found again by name), API
 * clients (their keys kept in the demo's state file), console accounts for every role, and the
 * year's targets. Everything here is looked up before it is created, so a second run adds nothing.
 */

export const PLANNER_CLIENTS: Readonly<Record<LeadAgency['key'], number>> = { probation: 4, juvenile: 2 };

interface OrgView { id: string; name: string; notifyToken?: string }

export interface Adapters {
  webhookUrl(provider: Provider): string;
  webhookSecret(provider: Provider): string;
  fhirBaseUrl(provider: Provider): string;
  pollIntervalSeconds: number;
}

export interface Organisations {
  /** Organisation ids by lead agency key or provider key. */
  ids: Map<string, string>;
  /** FHIR partners' rest-hook tokens, shown when their adapter is set. */
  notifyTokens: Map<string, string>;
  created: number;
}

async function allOrganisations(api: HubClient, admin: string): Promise<OrgView[]> {
  const all: OrgView[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: OrgView[]; nextCursor: string | null } = await api.call('GET', `/v1/organizations?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, admin, undefined, 200);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Each kind's adapter setting, pointing at the receivers this run started. */
const ADAPTER_SETTINGS: Readonly<Record<AdapterKind, (provider: Provider, adapters: Adapters) => Record<string, unknown>>> = {
  webhook: (provider, adapters) => ({ type: 'webhook', url: adapters.webhookUrl(provider), secret: adapters.webhookSecret(provider) }),
  fhir: (provider, adapters) => ({ type: 'fhir', baseUrl: adapters.fhirBaseUrl(provider), auth: { type: 'none' }, pollIntervalSeconds: adapters.pollIntervalSeconds }),
  portal: () => ({ type: 'portal' }),
};
const adapterOf = (provider: Provider, adapters: Adapters) => ADAPTER_SETTINGS[provider.adapter](provider, adapters);

/** Explains the one refusal a first-time user meets: a hub that may not call partners on this machine. */
function explainRefusal(error: Error): Error {
  if (/adapter\.(url|baseUrl)/.test(error.message) && /private|loopback|address/i.test(error.message)) {
    return new Error(`${error.message}\nThe demo's partners listen on this machine: start the hub with HUB_ALLOW_PRIVATE_TARGETS=true (see README, "Demo").`);
  }
  return error;
}

export async function ensureOrganisations(api: HubClient, admin: string, adapters: Adapters): Promise<Organisations> {
  const existing = new Map((await allOrganisations(api, admin)).map((o) => [o.name, o]));
  const ids = new Map<string, string>();
  const notifyTokens = new Map<string, string>();
  let created = 0;
  for (const agency of LEAD_AGENCIES) {
    const found = existing.get(agency.name);
    const org = found ?? (await api.call<OrgView>('POST', '/v1/organizations', admin, { name: agency.name, kind: agency.kind, adapter: { type: 'portal' } }, 201));
    if (!found) created++;
    ids.set(agency.key, org.id);
  }
  for (const provider of PROVIDERS) {
    const adapter = adapterOf(provider, adapters);
    const found = existing.get(provider.name);
    let org: OrgView;
    try {
      // An inbox partner's setting names nothing of this run's.
      if (found && readsInbox(provider)) org = found;
      // The demo's receivers listen on new ports each run: point the partner at them again.
      else if (found) org = await api.call<OrgView>('PATCH', `/v1/organizations/${found.id}`, admin, { adapter }, 200);
      else {
        org = await api.call<OrgView>('POST', '/v1/organizations', admin, {
          name: provider.name, kind: provider.kind, part2Program: provider.part2 ?? false, adapter, ...(provider.sla ? { sla: provider.sla } : {}),
        }, 201);
        created++;
      }
    } catch (error) {
      throw explainRefusal(error as Error);
    }
    ids.set(provider.key, org.id);
    if (org.notifyToken) notifyTokens.set(provider.key, org.notifyToken);
  }
  return { ids, notifyTokens, created };
}

export function webhookSecretFrom(state: DemoState) {
  return (provider: Provider) => (state.webhookSecrets[provider.key] ??= generateSecret());
}

type ClientRole = 'planner' | 'partner' | 'compliance' | 'manager';

/** The API clients the demo acts through: found in the state file when the hub still honours them, registered otherwise. */
export class DemoClients {
  constructor(
    private readonly api: HubClient,
    private readonly admin: () => Promise<string>,
    private readonly state: DemoState,
    private readonly stateFile: string,
    private readonly orgs: Organisations,
  ) {}

  private pending = new Map<string, Promise<ApiClientKey>>();

  private async client(name: string, orgKey: string, role: ClientRole): Promise<ApiClientKey> {
    const known = this.state.clients[name];
    if (known) return known;
    let creating = this.pending.get(name);
    if (!creating) {
      creating = (async () => {
        const made = await this.api.client(await this.admin(), this.orgs.ids.get(orgKey)!, role);
        this.state.clients[name] = made;
        await saveState(this.stateFile, this.state);
        return made;
      })();
      this.pending.set(name, creating);
    }
    return creating;
  }

  async token(name: string, orgKey: string, role: ClientRole): Promise<string> {
    const client = await this.client(name, orgKey, role);
    try {
      return await this.api.token(client.clientId, client.key);
    } catch (error) {
      // A state file from another database of the same hub address: register afresh.
      if (!/HTTP (400|401)/.test((error as Error).message)) throw error;
      delete this.state.clients[name];
      this.pending.delete(name);
      const again = await this.client(name, orgKey, role);
      return this.api.token(again.clientId, again.key);
    }
  }

  planner(agency: LeadAgency['key'], n: number) {
    const i = n % PLANNER_CLIENTS[agency];
    return this.token(`${agency}:planner:${i}`, agency, 'planner');
  }

  compliance(agency: LeadAgency['key']) {
    return this.token(`${agency}:compliance`, agency, 'compliance');
  }

  manager() {
    return this.token('probation:manager', 'probation', 'manager');
  }

  partner(providerKey: string) {
    return this.token(`partner:${providerKey}`, providerKey, 'partner');
  }
}

/** One console account per role, with the organisation a person of that role would work for. */
export const STAFF = [
  { role: 'admin', name: 'Avery Quinn', email: 'avery.quinn@hub.harbor-county.example', password: 'harbor-demo-admin', org: undefined, look: 'organisations, clients and accounts, through the API for now (GET /v1/organizations)' },
  { role: 'planner', name: 'Pat Morales', email: 'pat.morales@probation.harbor-county.example', password: 'harbor-demo-planner', org: 'probation', look: '/console/caseload: SLA breaches, referrals awaiting consent and failed deliveries first' },
  { role: 'planner', name: 'Jordan Lee', email: 'jordan.lee@ojj-region3.example', password: 'harbor-demo-juvenile', org: 'juvenile', look: "/console/caseload for the youth caseload (guardian-signed consents)" },
  { role: 'partner', name: 'Dana Whitfield', email: 'dana.whitfield@second-chance.example', password: 'harbor-demo-partner', org: 'second-chance', look: '/console/inbox: housing referrals, only what consent lets Second Chance Residences see' },
  { role: 'partner', name: 'Sam Ortiz', email: 'sam.ortiz@clearwater-mat.example', password: 'harbor-demo-part2', org: 'clearwater-mat', look: '/console/inbox of a 42 CFR Part 2 program: the redisclosure notice on each referral' },
  { role: 'compliance', name: 'Chris Okafor', email: 'chris.okafor@probation.harbor-county.example', password: 'harbor-demo-compliance', org: 'probation', look: '/console/participants: a participant\'s consents (two-way, court orders, revoked, expired) and disclosures' },
  { role: 'manager', name: 'Morgan Reyes', email: 'morgan.reyes@probation.harbor-county.example', password: 'harbor-demo-manager', org: 'probation', look: '/console/dashboard: people connected per service against the year\'s targets' },
] as const;

export async function ensureStaff(api: HubClient, admin: string, orgs: Organisations): Promise<number> {
  let created = 0;
  for (const s of STAFF) {
    const body = { role: s.role, name: s.name, email: s.email, password: s.password, ...(s.org ? { organizationId: orgs.ids.get(s.org)! } : {}) };
    const answer = await api.send('POST', '/v1/staff', admin, body);
    if (answer.status === 201) created++;
    else if (answer.status !== 409) throw new Error(`POST /v1/staff (${s.email}): HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return created;
}

/** The services a funder tracks people connected to. */
const TRACKED: readonly Service[] = ['mental_health', 'substance_use', 'housing', 'employment', 'medical', 'peer_support'];
const CONNECTED_PATHS = new Set(['completed', 'engaged', 'failed', 'on_hold']);

/**
 * Targets for this calendar year and the last (a report of the past twelve months starts in the
 * last one), set from the plan: this year's target a little above what the network will reach,
 * the baseline about half of it, last year's lower, as a programme that is growing.
 */
export async function ensureTargets(api: HubClient, manager: string, plans: ParticipantPlan[], today: Date): Promise<number> {
  const reach = new Map<Service, number>();
  for (const plan of plans) {
    if (plan.consent === 'none' || plan.consent === 'expired') continue;
    for (const r of plan.referrals) if (CONNECTED_PATHS.has(r.path.name)) reach.set(r.service, (reach.get(r.service) ?? 0) + 1);
  }
  const year = today.getUTCFullYear();
  let created = 0;
  for (const service of TRACKED) {
    const expected = Math.max(reach.get(service) ?? 0, 1);
    for (const [y, targetShare, baselineShare] of [[year, 1.15, 0.55], [year - 1, 0.9, 0.4]] as const) {
      const body = { service, period: { start: `${y}-01-01`, end: `${y + 1}-01-01` }, baseline: Math.round(expected * baselineShare), target: Math.round(expected * targetShare) };
      const answer = await api.send('POST', '/v1/targets', manager, body);
      if (answer.status === 201) created++;
      else if (answer.status !== 409) throw new Error(`POST /v1/targets (${service} ${y}): HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
  }
  return created;
}
