import type { Provision, ProvisionActor } from '../../../consent/index.js';
import type { DataCategory, Purpose } from '../../../schemas/vocabulary.js';
import type { ConsentParty } from '../../../services/organizations.js';
import { CATEGORY_WORDS, KIND_WORDS, PURPOSE_WORDS, dayOf, list } from './consent-words.js';

/** One rule of a consent, with what it inherits from the rules around it, in words. */
export interface Rule {
  type: 'permit' | 'deny';
  recipients: string[] | undefined;
  sources: string[] | undefined;
  purposes: Purpose[] | undefined;
  categories: DataCategory[] | undefined;
  period: { start: string; end?: string | undefined } | undefined;
}

const nameOf = (parties: ConsentParty[]) => (a: ProvisionActor) => {
  const org = a.organizationId ? parties.find((p) => p.id === a.organizationId) : undefined;
  const who = a.organizationId ? (org?.name ?? a.organizationId) : '';
  const kind = a.organizationKind ? KIND_WORDS[a.organizationKind].toLowerCase() : '';
  return who && kind ? `${who} (${kind})` : who || `any of the ${kind}`;
};

/** A bare `deny` root is an opt-in frame: its exceptions are the rules, and nothing else is permitted. */
const isFrame = (p: Provision) => p.type === 'deny' && !p.actors && !p.purposes && !p.categories && !p.period;

/**
 * The provision tree as a flat list of rules, each narrowed by its ancestors: enough to read any
 * consent recorded through the API as well as through the form.
 */
export function rulesOf(provision: Provision, parties: ConsentParty[]): Rule[] {
  const rules: Rule[] = [];
  const name = nameOf(parties);
  const visit = (node: Provision, from: Omit<Rule, 'type'>) => {
    const actors = node.actors ?? [];
    const recipients = actors.filter((a) => (a.role ?? 'recipient') === 'recipient');
    const sources = actors.filter((a) => a.role === 'source');
    const here: Omit<Rule, 'type'> = {
      recipients: recipients.length ? recipients.map(name) : from.recipients,
      sources: sources.length ? sources.map(name) : from.sources,
      purposes: node.purposes ?? from.purposes,
      categories: node.categories ?? from.categories,
      period: node.period ?? from.period,
    };
    if (!isFrame(node) || node !== provision) rules.push({ type: node.type, ...here });
    for (const kid of node.provisions ?? []) visit(kid, here);
  };
  visit(provision, { recipients: undefined, sources: undefined, purposes: undefined, categories: undefined, period: undefined });
  return rules;
}

export const reachesSubstanceUse = (rules: Rule[]) => rules.some((r) => r.type === 'permit' && (r.categories === undefined || r.categories.includes('substance_use')));

export function categoryText(categories: DataCategory[] | undefined): string {
  if (!categories) return 'all of the information in the case file';
  return list(categories.map((c) => `${CATEGORY_WORDS[c].label.toLowerCase()} (${CATEGORY_WORDS[c].hint})`));
}

/** "Riverside Recovery may report … to County Probation", as the participant reads it. */
export function ruleText(rule: Rule, holder: string): string {
  const to = rule.recipients ? list(rule.recipients) : 'any organisation';
  const what = categoryText(rule.categories);
  const why = rule.purposes ? list(rule.purposes.map((p) => PURPOSE_WORDS[p].toLowerCase())) : 'any purpose';
  const when = rule.period ? ` from ${dayOf(rule.period.start)}${rule.period.end ? ` until ${dayOf(rule.period.end)}` : ''}` : '';
  if (rule.type === 'deny') return `Not to ${to}${rule.sources ? ` from ${list(rule.sources)}` : ''}: ${what}, for ${why}${when}.`;
  if (rule.sources) return `${list(rule.sources)} may report to ${to}: ${what}, for ${why}${when}.`;
  return `${holder} may disclose to ${to}: ${what}, for ${why}${when}.`;
}

/** The rules as a list; the opt-in frame says that nothing else is permitted. */
export function ConsentRules(props: { provision: Provision; parties: ConsentParty[]; holder: string }) {
  const rules = rulesOf(props.provision, props.parties);
  return (
    <>
      <ul class="rules">
        {rules.map((r) => <li class={r.type === 'deny' ? 'deny' : undefined}>{ruleText(r, props.holder)}</li>)}
      </ul>
      {isFrame(props.provision) ? <p class="muted">Nothing else is permitted by this consent.</p> : null}
    </>
  );
}
