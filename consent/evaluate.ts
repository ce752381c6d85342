import { DATA_CATEGORIES, PURPOSES, type DataCategory } from '../schemas/vocabulary.js';
import { ms, within } from './time.js';
import type { DecisionRequest, OrganizationRef, Provision, ProvisionActor } from './types.js';

/**
 * Provision-tree evaluation (FHIR R4 Consent.provision). Categories are the only per-category
 * condition, so instead of walking the tree once per category we walk it once per request and
 * carry the categories as a bit mask: bit i is DATA_CATEGORIES[i].
 */
export const CATEGORY_COUNT = DATA_CATEGORIES.length;
export const ALL_CATEGORIES = (1 << CATEGORY_COUNT) - 1;
// A plain object with fixed keys: property lookups here are faster than Map.get on the hot path.
const BIT: Readonly<Record<string, number>> = Object.fromEntries(DATA_CATEGORIES.map((c, i) => [c, 1 << i]));

export function categoryBit(category: DataCategory): number {
  const bit = BIT[category];
  return typeof bit === 'number' ? bit : 0; // typeof: 'constructor' and friends are not categories
}

/** Masks of provision category lists, memoised per list: bases are evaluated again and again. */
const masks = new WeakMap<readonly DataCategory[], number>();

/** An absent list matches every category; a listed unknown category matches none. */
export function categoryMask(categories: readonly DataCategory[] | undefined): number {
  if (categories === undefined) return ALL_CATEGORIES;
  let mask = masks.get(categories);
  if (mask === undefined) {
    mask = 0;
    for (const c of categories) mask |= categoryBit(c);
    masks.set(categories, mask);
  }
  return mask;
}

/**
 * Categories permitted and denied by a (sub)tree, packed in one integer so the hot path allocates
 * nothing: permit mask in bits 0-11, deny mask in bits 12-23. The two masks are disjoint.
 */
export type Outcome = number;
const SHIFT = CATEGORY_COUNT;
export const permitOf = (o: Outcome): number => o & ALL_CATEGORIES;
export const denyOf = (o: Outcome): number => (o >>> SHIFT) & ALL_CATEGORIES;
const pack = (permit: number, deny: number): Outcome => (permit & ~deny) | (deny << SHIFT);

/**
 * An actor names an organisation, a kind of organisation, or both; when both are given both must
 * hold (the narrow reading, so a typo in one cannot widen a consent). An actor naming neither
 * matches no one.
 */
function actorMatches(actor: ProvisionActor, org: OrganizationRef): boolean {
  if (!actorCanMatch(actor)) return false;
  return (
    (actor.organizationId === undefined || actor.organizationId === org.id) &&
    (actor.organizationKind === undefined || actor.organizationKind === org.kind)
  );
}

/** An actor naming neither an organisation nor a kind matches no one. */
export function actorCanMatch(actor: ProvisionActor): boolean {
  return actor.organizationId !== undefined || actor.organizationKind !== undefined;
}

const KNOWN_PURPOSES: ReadonlySet<string> = new Set(PURPOSES);

/**
 * A provision that can match no request under the rules above: a listed purpose or category list
 * with nothing the hub knows, a role whose every actor matches no one, an empty or unreadable
 * period. It contributes nothing, its exceptions included (the FHIR writer leaves it out, since
 * FHIR has no empty lists). Written here, once, beside the rules it follows.
 */
export function matchesNothing(node: Provision): boolean {
  if (node.purposes !== undefined && !node.purposes.some((p) => KNOWN_PURPOSES.has(p))) return true;
  if (node.categories !== undefined && categoryMask(node.categories) === 0) return true;
  const actors = node.actors ?? [];
  for (const role of ['recipient', 'source'] as const) {
    const group = actors.filter((a) => (a.role === 'source' ? 'source' : 'recipient') === role);
    if (group.length > 0 && !group.some(actorCanMatch)) return true;
  }
  if (node.period !== undefined) {
    const end = node.period.end === undefined ? Infinity : ms(node.period.end);
    if (!(end > ms(node.period.start))) return true; // NaN compares false: unreadable matches nothing
  }
  return false;
}

/** Actors are grouped by role; the request must match at least one actor of each role named. */
function actorsMatch(actors: readonly ProvisionActor[] | undefined, request: DecisionRequest): boolean {
  if (actors === undefined) return true;
  let wantRecipient = false;
  let recipientOk = false;
  let wantSource = false;
  let sourceOk = false;
  for (const actor of actors) {
    if (actor.role === 'source') {
      wantSource = true;
      // No source on the request (the hub's own case file): a source-limited provision does not apply.
      if (!sourceOk && request.source !== undefined) sourceOk = actorMatches(actor, request.source);
    } else {
      wantRecipient = true; // absent role = recipient
      if (!recipientOk) recipientOk = actorMatches(actor, request.recipient);
    }
  }
  return (!wantRecipient || recipientOk) && (!wantSource || sourceOk);
}

/** The categories of `scope` for which the node's conditions hold. */
function matchMask(node: Provision, request: DecisionRequest, at: number, scope: number): number {
  if (node.purposes !== undefined && !node.purposes.includes(request.purpose)) return 0;
  if (node.period !== undefined && !within(node.period, at)) return 0;
  if (!actorsMatch(node.actors, request)) return 0;
  return scope & categoryMask(node.categories);
}

/** Nested provisions are exceptions: where any child decides, children win; among siblings deny beats permit. */
function children(node: Provision, request: DecisionRequest, at: number, scope: number): Outcome {
  const kids = node.provisions;
  if (kids === undefined) return 0;
  let merged = 0;
  for (const kid of kids) merged |= evaluate(kid, request, at, scope);
  return pack(permitOf(merged), denyOf(merged));
}

function evaluate(node: Provision, request: DecisionRequest, at: number, scope: number): Outcome {
  const matched = matchMask(node, request, at, scope);
  if (matched === 0) return 0;
  const kids = children(node, request, at, matched);
  const permit = permitOf(kids);
  const deny = denyOf(kids);
  const own = matched & ~(permit | deny);
  // Anything but an explicit 'permit' is read as deny: a malformed type must not open data.
  return node.type === 'permit' ? pack(permit | own, deny) : pack(permit, deny | own);
}

/** A root `deny` with no conditions is the default-deny frame of "deny all except ...". */
export function isBaselineDeny(root: Provision): boolean {
  return (
    root.type === 'deny' &&
    (root.actors === undefined || root.actors.length === 0) &&
    root.purposes === undefined &&
    root.categories === undefined &&
    root.period === undefined
  );
}

/**
 * One basis's tree for one request. `deny` holds only *explicit* denies: a baseline root deny only
 * withholds what its exceptions do not permit, it does not veto other bases.
 */
export function evaluateTree(root: Provision, request: DecisionRequest, at: number): Outcome {
  if (!isBaselineDeny(root)) return evaluate(root, request, at, ALL_CATEGORIES);
  return children(root, request, at, ALL_CATEGORIES);
}
