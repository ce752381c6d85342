import { LEAD_AGENCIES, PROVIDERS } from './network.js';
import type { DemoSummary } from './run.js';
import { STAFF } from './world.js';

/** What the demo prints when it is done: what is on the hub now, and how to look at it as each role. */
export function guide(hub: string, s: DemoSummary, opts: { keepsRunning: boolean }): string {
  const base = hub.replace(/\/$/, '');
  const kinds = (k: string) => PROVIDERS.filter((p) => p.adapter === k).length;
  const statuses = Object.entries(s.statuses).sort((a, b) => b[1] - a[1]).map(([status, n]) => `${status} ${n}`).join(', ');
  const lines = [
    '',
    `The demo network is on ${base} (${s.seconds} s).`,
    `  ${LEAD_AGENCIES.map((a) => a.name).join(' and ')} refer to ${PROVIDERS.length} community providers:`,
    `  ${kinds('webhook')} take signed webhooks, ${kinds('fhir')} have their own FHIR server, ${kinds('portal')} use the hub's inbox.`,
    `  This run: ${s.organisationsCreated} organisations, ${s.seed.participantsCreated} participants, ${s.seed.consentsCreated} consents and ${s.seed.referralsCreated} referrals created` +
      ` (${s.seed.participantsFound} participants and ${s.seed.referralsFound} referrals were already there); ${s.revoked} consents revoked; ${s.staffCreated} accounts, ${s.targetsCreated} targets.`,
    `  Referrals by status: ${statuses}.`,
    s.backdated
      ? `  Back-dated over the past year: ${s.backdated.referrals} referrals. The hub's SLA sweep flags the late ones within a few seconds.`
      : '  Everything is dated today; `--backdate` spreads the referrals over the past year.',
    '',
    `Sign in at ${base}/console as:`,
    ...STAFF.map((p) => `  ${p.role.padEnd(10)} ${p.email.padEnd(46)} ${p.password.padEnd(24)} ${p.look}`),
    '',
    'Pages to look at:',
    `  ${base}/console/dashboard      the manager's indicators against the targets`,
    `  ${base}/console/caseload       the planner's referrals, what needs them first`,
    `  ${base}/console/inbox          a partner's inbox: only what consent lets it see`,
    `  ${base}/console/participants   the compliance officer's search: consents, revocations, disclosures`,
    `  ${base}/docs                   the API; GET /v1/reports/indicators?groupBy=race for disparities`,
    '',
    opts.keepsRunning
      ? 'The webhook and FHIR partners keep answering (and the portal partners keep reading their inbox) until you press Ctrl-C.'
      : 'The partners stopped with the demo (--exit): referrals sent from now on wait in the hub and retry.',
  ];
  return `${lines.join('\n')}\n`;
}
