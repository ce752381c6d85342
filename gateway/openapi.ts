import { Problem } from '../schemas/common.js';
import type { Role } from '../schemas/vocabulary.js';
import { HubError, badRequest, conflict, forbidden, notFound, tooLarge, unauthorized, unavailable, unprocessable } from '../lib/errors.js';

/**
 * The pieces every route declaration of the API reference shares: the problem+json responses per
 * status, the "who may call" paragraph, and the document's overview. A route declares its errors
 * in one line (`...problems(400, 401, 403, 404, 429, 503)`) and its callers in one call
 * (`whoMayCall({ planner: '...' })`), so the reference reads the same from operation to operation.
 */

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** The body the hub answers for `error`: the same members as `problemResponse` (gateway/problem.ts) writes. */
function bodyOf(error: HubError): Record<string, unknown> {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.message,
    ...(error.errors?.length ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

interface ProblemDoc {
  description: string;
  example: HubError;
  /** Response headers the hub sets with this status. */
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>;
}

const retryAfter = (what: string) => ({ 'Retry-After': { description: what, schema: { type: 'integer' as const } } });

/** The meaning of each status across the API, with the kind of body a client gets. */
const STANDARD: Record<ProblemStatus, ProblemDoc> = {
  400: {
    description: 'The request fails its schema: malformed JSON, a wrong type, an unknown field or enum value, a bad id or cursor. `errors` names each field.',
    example: badRequest('the request body is invalid: birthDate', [{ path: 'birthDate', message: 'Invalid ISO date' }]),
  },
  401: {
    description: 'No access token, or one that is malformed, expired or not signed by this hub. Get one at `POST /oauth/token`.',
    example: unauthorized('an Authorization: Bearer access token is required'),
    headers: { 'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string' } } },
  },
  403: {
    description: 'The caller’s role may not call this operation (see *Who may call*).',
    example: forbidden('the partner role may not call this; it needs planner'),
  },
  404: {
    description: 'No such object, or one the caller may not see: another organisation’s objects do not exist, as far as the caller can tell.',
    example: notFound('referral'),
  },
  409: {
    description: 'The object’s state does not allow this now; `allowed` lists what it does allow.',
    example: conflict('a completed event is not allowed while the referral is delivered', { allowed: ['received', 'accepted', 'rejected', 'on_hold'] }),
  },
  413: {
    description: 'The request body is over the hub’s limit (1 MiB unless the operator changed it). The connection is closed.',
    example: tooLarge(1_048_576),
  },
  415: {
    description: 'The request body is not sent as `application/json`.',
    example: new HubError(415, 'Unsupported Media Type', 'the request body must be sent as application/json', [{ path: 'content-type', message: 'expected application/json' }]),
  },
  422: {
    description: 'Well-formed, but not something the hub can process.',
    example: unprocessable('the consent cannot be recorded: a consent basis needs the participant’s signature', [{ path: 'signatures', message: 'a consent basis needs the participant’s signature' }]),
  },
  429: {
    description: 'Over the client’s rate limit (requests per second). Wait for `Retry-After` seconds and send it again.',
    example: new HubError(429, 'Too Many Requests', 'over the limit of 100 requests per second for this client'),
    headers: retryAfter('Seconds to wait before trying again'),
  },
  503: {
    description: 'The hub cannot reach its database (or, when registering a partner URL, its name server) right now. Nothing was changed; try again after `Retry-After` seconds.',
    example: unavailable('the database is not reachable; try again shortly'),
    headers: retryAfter('Seconds to wait before trying again'),
  },
};

/** A route-specific wording of a status, and optionally a route-specific example. */
export type ProblemOverride = string | { description: string; example: HubError };

/**
 * The problem+json responses of an operation: each status with its standard meaning, or with the
 * route's own wording where that says more (`problems(400, 401, { 409: 'Not delivery_failed' })`).
 */
export function problems(...entries: (ProblemStatus | Partial<Record<ProblemStatus, ProblemOverride>>)[]) {
  const responses: Record<string, { description: string; headers?: ProblemDoc['headers']; content: Record<string, { schema: typeof Problem; example: unknown }> }> = {};
  const add = (status: ProblemStatus, override?: ProblemOverride) => {
    const standard = STANDARD[status];
    const description = typeof override === 'string' ? override : (override?.description ?? standard.description);
    const example = typeof override === 'object' ? override.example : standard.example;
    responses[status] = {
      description,
      ...(standard.headers ? { headers: standard.headers } : {}),
      content: { 'application/problem+json': { schema: Problem, example: bodyOf(example) } },
    };
  };
  for (const entry of entries) {
    if (typeof entry === 'number') add(entry);
    else for (const [status, override] of Object.entries(entry)) add(Number(status) as ProblemStatus, override);
  }
  return responses;
}

/** Who may call an operation, role by role, with the scope each role has. */
export type Callers = Partial<Record<Role, string>>;

/**
 * The "Who may call" paragraph of an operation's description. Roles are checked first (403),
 * then the object's organisation (404: the hub does not confirm that another organisation's
 * object exists).
 */
export function whoMayCall(callers: Callers, outOfScope?: string): string {
  const lines = Object.entries(callers).map(([role, scope]) => `- \`${role}\`: ${scope}`);
  const others = 'Any other role gets **403**.';
  const hidden = outOfScope ? ` ${outOfScope} is **404**.` : '';
  return `**Who may call**\n\n${lines.join('\n')}\n\n${others}${hidden}`;
}

/** An operation's description: what it does, then who may call it. */
export const described = (text: string, callers: string) => `${text}\n\n${callers}`;

/** Operations outside `/v1`, which no role restricts. */
export const PUBLIC = '**Who may call**: anyone; no access token is needed.';

export const ROLE_OVERVIEW: Record<Role, string> = {
  admin: 'the hub’s operator: registers organisations, their adapters and their system clients. Never reads a participant or a case file.',
  planner: 'a lead case planner’s system (probation, parole, juvenile justice): enrols participants, sends referrals, follows their timeline, cancels and replays.',
  partner: 'a partner’s system (treatment, housing, employment provider): reads the referrals delivered to its organisation, as far as consent permits, and reports their status.',
  compliance: 'a compliance officer’s system: records and revokes consents, asks for access decisions, reads the accounting of disclosures and verifies the audit log.',
  manager: 'a program manager’s system: sets targets and reads outcome indicators, aggregated and with small counts withheld. Never reads a participant, a referral, a consent or a disclosure.',
};

const DESCRIPTION = `Interagency referrals with consent-based, field-level disclosure.

A lead case planner refers a participant to a partner (a treatment, housing or employment
provider). The hub delivers the referral through the partner's adapter (a signed webhook, a FHIR R4
server, or the partner's own reads of this API), lets only what consent permits leave, section by
section of the case file, records every disclosure, and brings the partner's status back to the
planner. Compliance officers record and revoke consents and can show who saw what, when, and under
which consent.

The examples on every operation tell one story: County Probation refers Jordan Rivera (born
1990-04-12) to Eastside Housing under a consent that lets the housing provider see identity,
contact and housing data for care coordination.

## Authentication

Every \`/v1\` call carries \`Authorization: Bearer <access token>\`. Systems get tokens the SMART
Backend Services way: register a public key (\`POST /v1/clients\`, by an admin), sign a short-lived
client assertion with the private key, and trade it at \`POST /oauth/token\` for a 300-second access
token. \`GET /.well-known/smart-configuration\` lists the algorithms and scopes. To try the API from
this page, paste a token under **Authorize**.

## Roles

Each client is registered with one role; each operation's description says which roles may call
it. A role that may not call an operation gets 403. An object of another organisation is 404, as
if it did not exist.

${Object.entries(ROLE_OVERVIEW).map(([role, text]) => `- \`${role}\`: ${text}`).join('\n')}

## Conventions

- **Ids** are opaque strings with a type prefix (\`org_\`, \`par_\`, \`ref_\`, \`con_\`, \`evt_\`, \`cli_\`).
- **Times** are RFC 3339; the hub answers in UTC.
- **Errors** are \`application/problem+json\`: \`{type, title, status, detail, errors?: [{path, message}]}\`,
  where \`errors\` names the offending fields. The token endpoint answers OAuth errors instead.
- **Lists** answer \`{items, nextCursor}\`, newest first; pass \`nextCursor\` back as \`cursor\` for the next page.
- **Rate limits**: each client has a budget of requests per second (100 by default); over it, 429 with \`Retry-After\`.
- **Answers under \`/v1\`** are \`Cache-Control: no-store\`: they can carry case data.
`;

export const DOCUMENT_INFO = {
  title: 'Referral & consent hub',
  version: '1.0.0',
  description: DESCRIPTION,
  license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
};

/** The groups of operations, in the order the reference shows them. */
export const TAGS = [
  { name: 'Discovery', description: 'Where to start: the index, this reference, and the hub’s authorization metadata.' },
  { name: 'Authentication', description: 'SMART Backend Services: a signed client assertion in, a short-lived access token out.' },
  { name: 'Organizations and clients', description: 'The agencies and providers on the hub, their delivery adapters, and the systems (clients) that act for them. Admin only, except reading one’s own organisation.' },
  { name: 'Staff', description: 'People who sign in to the web console (`/console`), each acting as a client of their organisation and role would. Admin only.' },
  { name: 'Participants', description: 'The people referred, enrolled by the planner’s organisation.' },
  { name: 'Referrals', description: 'A planner’s referral of a participant to a partner, with the case file; each reader sees what consent permits.' },
  { name: 'Referral events', description: 'Status and engagement reported by the partner, cancellation by the planner, and the planner’s timeline.' },
  { name: 'Consent', description: 'Consents, court orders and statutes: the bases on which case data may leave (FHIR R4 Consent model).' },
  { name: 'Compliance', description: 'The decision the hub enforces, the accounting of disclosures, and the audit log’s integrity.' },
  { name: 'Outcome indicators', description: 'Targets per service and period, and the indicators report against them: aggregate counts, disaggregated, with small counts withheld.' },
  { name: 'FHIR partners', description: 'Notifications from partners whose FHIR server pushes Task changes.' },
  { name: 'Operations', description: 'Liveness, readiness and metrics, for load balancers and monitoring.' },
];

/** `content` of a JSON request body or response, with the example the reference shows. */
export const json = <T>(schema: T, example: unknown) => ({ content: { 'application/json': { schema, example } } });

/** The same, with several named examples (one per kind of caller or case). */
export const jsonExamples = <T>(schema: T, examples: Record<string, { summary: string; value: unknown }>) => ({
  content: { 'application/json': { schema, examples } },
});
