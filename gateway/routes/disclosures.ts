import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { AccessDecision, AccessQuery, Disclosure, DisclosureQuery } from '../../schemas/consent.js';
import { accountingOf, disclosuresCsv, explainAccess, verifyAudit } from '../../services/disclosures.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireOrgRole, requireRole } from '../roles.js';
import * as examples from '../openapi-examples.js';
import { described, json, problems, whoMayCall } from '../openapi.js';

const tags = ['Compliance'];

const accessRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}/access', tags, operationId: 'getAccessDecision',
  summary: 'What a recipient may see of a participant, for a purpose, and why',
  description: described(
    'Answers with the very decision the hub enforces at send and read time: the categories permitted and the bases each rests on, every denied category with a reason a compliance officer can read, ' +
      'and the obligations that would travel with the data (the 42 CFR 2.32 notice when `substance_use` is permitted). ' +
      '`source` asks about data an organisation reports (a Part 2 program’s status updates); `at` asks about another moment. Nothing is disclosed by asking.',
    whoMayCall({ compliance: 'for a participant its own organisation enrolled' }, 'A participant of another organisation, or an unknown `recipient` or `source`,'),
  ),
  request: { params: IdParam, query: AccessQuery },
  responses: {
    200: { description: 'The decision', ...json(AccessDecision, examples.accessDecision) },
    ...problems(400, 401, 403, { 404: 'No such participant in the caller’s organisation, or no such `recipient` or `source` organisation' }, 429, 503),
  },
});
const disclosuresRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}/disclosures', tags, operationId: 'listDisclosures',
  summary: 'The accounting of disclosures (HIPAA 164.528, 42 CFR 2.24)',
  description: described(
    'Every time the participant’s data left the hub: each delivery to a partner, each partner read, and each status note shown to the referrer, with the categories, the purpose and the bases it rested on, newest first. ' +
      'The hub never updates or deletes these rows. `Accept: text/csv` gives the same rows as a file. Reading the accounting is itself audited.',
    whoMayCall({ compliance: 'for a participant its own organisation enrolled' }, 'A participant of another organisation'),
  ),
  request: { params: IdParam, query: DisclosureQuery },
  responses: {
    200: {
      description: 'Disclosures, newest first; `Accept: text/csv` for a CSV export',
      content: {
        'application/json': {
          schema: z.object({
            items: z.array(Disclosure).openapi({ description: 'Every disclosure in the range: this list is not paginated.' }),
            nextCursor: z.null().openapi({ description: 'Always `null`: one page holds every disclosure in the range.' }),
          }),
          example: examples.disclosures,
        },
        'text/csv': { schema: z.string().openapi({ description: 'One line per disclosure, with a header line; lists are space-separated.' }), example: examples.disclosuresCsv },
      },
    },
    ...problems(400, 401, 403, { 404: 'No such participant in the caller’s organisation' }, 429, 503),
  },
});
const verifyRoute = createRoute({
  method: 'get', path: '/v1/audit/verify', tags, operationId: 'verifyAuditLog',
  summary: 'Recompute the audit log’s hash chain',
  description: described(
    'Every audit entry is chained to the one before by a hash, so an edited or deleted entry breaks the chain from there on. ' +
      'Entries are written without a lock and chained by a sequencer in the worker processes within about a second; this call first chains what has committed, then recomputes the chain over the whole log. Removing the newest entries leaves a shorter chain that still verifies: record `head` and `entries` in another system to detect that. Each walk is recorded with its caller and result (the worker also walks the chain every `HUB_AUDIT_VERIFY_SECONDS`), and the console\u2019s audit page shows the latest.',
    whoMayCall({ compliance: 'the whole log', admin: 'the whole log' }),
  ),
  responses: {
    200: {
      description: 'The result',
      ...json(z.object({
        valid: z.boolean().openapi({ description: '`true` when every entry’s hash matches its content and its predecessor.' }),
        entries: z.number().openapi({ description: 'How many entries were checked: the whole log when `valid`, those before the break otherwise.' }),
        firstBrokenAt: z.number().optional().openapi({ description: 'The sequence number of the first entry whose hash or link does not match; present only when `valid` is `false`.' }),
        head: z.string().optional().openapi({ description: 'Hash of the newest entry: record it elsewhere to detect removal of the newest rows later.' }),
        unsealed: z.number().int().openapi({ description: 'Entries written but not chained yet (the sequencer chains them within about a second; this call seals what has committed before it verifies).' }),
        oldestUnsealedSeconds: z.number().nullable().openapi({ description: 'Age in seconds of the oldest entry not chained yet; `null` when every entry is chained.' }),
      }).openapi('AuditVerification'), examples.auditVerification),
    },
    ...problems(401, 403, 429, 503),
  },
});

export function registerDisclosureRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(accessRoute, async (c) => {
    // Access decisions are a compliance concern (docs/api.md, "Roles"): they name the bases and every denial reason.
    const caller = requireOrgRole(c, 'compliance');
    return c.json(await explainAccess(hub, caller, c.req.valid('param').id, c.req.valid('query')), 200);
  });

  app.openapi(disclosuresRoute, async (c) => {
    const caller = requireOrgRole(c, 'compliance');
    const participantId = c.req.valid('param').id;
    const items = await accountingOf(hub, caller, participantId, c.req.valid('query'));
    if (c.req.header('accept')?.includes('text/csv')) {
      c.header('content-disposition', `attachment; filename="disclosures-${participantId}.csv"`);
      return c.body(disclosuresCsv(items), 200, { 'content-type': 'text/csv; charset=utf-8' });
    }
    return c.json({ items, nextCursor: null }, 200);
  });

  app.openapi(verifyRoute, async (c) => {
    const caller = requireRole(c, 'compliance', 'admin');
    return c.json(await verifyAudit(hub, caller.clientId), 200);
  });
}
