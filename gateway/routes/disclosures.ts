import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam, errorResponses, json } from '../../schemas/common.js';
import { AccessDecision, AccessQuery, Disclosure, DisclosureQuery } from '../../schemas/consent.js';
import { verifyAuditChain } from '../../store/audit.js';
import { disclosuresCsv } from '../../store/disclosures.js';
import { accountingOf, explainAccess } from '../../services/disclosures.js';
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole, requireRole } from '../roles.js';

const tags = ['Compliance'];

const accessRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}/access', tags,
  summary: 'What a recipient may see of this participant, for a purpose, and why: the decision the hub enforces',
  request: { params: IdParam, query: AccessQuery },
  responses: { 200: { description: 'The decision', ...json(AccessDecision) }, ...errorResponses },
});
const disclosuresRoute = createRoute({
  method: 'get', path: '/v1/participants/{id}/disclosures', tags, summary: 'Accounting of disclosures (HIPAA 164.528, 42 CFR 2.24)',
  request: { params: IdParam, query: DisclosureQuery },
  responses: {
    200: {
      description: 'Disclosures, newest first; `Accept: text/csv` for a CSV export',
      content: { 'application/json': { schema: z.object({ items: z.array(Disclosure), nextCursor: z.null() }) }, 'text/csv': { schema: z.string() } },
    },
    ...errorResponses,
  },
});
const verifyRoute = createRoute({
  method: 'get', path: '/v1/audit/verify', tags, summary: 'Recompute the audit log’s hash chain',
  responses: { 200: { description: 'The result', ...json(z.object({
    valid: z.boolean(),
    entries: z.number(),
    firstBrokenAt: z.number().optional(),
    head: z.string().optional().openapi({ description: 'Hash of the newest entry: record it elsewhere to detect removal of the newest rows later.' }),
  })) }, ...errorResponses },
});

export function registerDisclosureRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(accessRoute, async (c) => {
    // Access decisions are a compliance concern (API.md "Roles"): they name the bases and every denial reason.
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
    requireRole(c, 'compliance', 'admin');
    return c.json(await verifyAuditChain(hub.sql), 200);
  });
}
