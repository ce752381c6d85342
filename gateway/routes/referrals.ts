import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { page } from '../../lib/cursor.js';
import { appendAudit } from '../../store/audit.js';
import { IdParam, errorResponses, listOf, problem, json } from '../../schemas/common.js';
import { ReferralCreated, ReferralInput, ReferralListQuery, ReferralView } from '../../schemas/referral.js';
import { listReferrals } from '../../store/referrals.js';
import { createReferral, createdView, partnerRead, referralForCaller, referrerView, replayReferral } from '../../services/referrals.js';
import type { AppEnv, Hub } from '../context.js';
import { requireOrgRole, requireRole } from '../roles.js';

const tags = ['Referrals'];

const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({ param: { name: 'idempotency-key', in: 'header', description: 'Idempotency-Key: the same key with the same body returns the first answer' } }),
});

const createRoute_ = createRoute({
  method: 'post', path: '/v1/referrals', tags, summary: 'Send a referral (planner)',
  request: { headers: IdempotencyHeader, body: { required: true, ...json(ReferralInput) } },
  responses: {
    201: { description: 'Accepted: queued, or awaiting_consent until a basis lets the partner see the participant', ...json(ReferralCreated) },
    ...errorResponses,
    409: problem('The same Idempotency-Key is still in flight'),
    422: problem('The Idempotency-Key was used with another body'),
  },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/referrals/{id}', tags, summary: 'Read a referral: the referrer sees it all, the partner what consent permits now',
  request: { params: IdParam },
  responses: { 200: { description: 'The referral', ...json(ReferralView) }, ...errorResponses },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/referrals', tags, request: { query: ReferralListQuery },
  responses: { 200: { description: 'Referrals the caller may see, newest first', ...json(listOf(ReferralView, 'ReferralList')) }, ...errorResponses },
});
const replayRoute = createRoute({
  method: 'post', path: '/v1/referrals/{id}/replay', tags, summary: 'Re-queue a delivery_failed referral (same webhook-id)',
  request: { params: IdParam },
  responses: { 200: { description: 'Re-queued', ...json(ReferralCreated) }, ...errorResponses, 409: problem('Not delivery_failed') },
});

export function registerReferralRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createRoute_, async (c) => {
    const caller = requireOrgRole(c, 'planner');
    const key = c.req.valid('header')['idempotency-key'];
    const result = await createReferral(hub, caller, c.req.valid('json'), key);
    if (result.replayed) c.header('idempotent-replayed', 'true');
    return c.json(result.body, result.status);
  });

  app.openapi(getRoute, async (c) => {
    // API.md: the referring organisation and the delivered-to partner only; an admin reading the case file would be an unrecorded disclosure.
    const caller = requireRole(c, 'planner', 'partner');
    const { referral, as } = await referralForCaller(hub, caller, c.req.valid('param').id);
    if (as === 'partner') return c.json(await partnerRead(hub, caller, referral), 200);
    const view = await referrerView(hub, referral);
    await appendAudit(hub.sql, { actor: caller.clientId, action: 'referral.read', subject: referral.id, detail: { as } });
    return c.json(view, 200);
  });

  app.openapi(listRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'partner');
    const { limit, cursor, status, partnerId, participantId } = c.req.valid('query');
    if (caller.role === 'partner') {
      if (partnerId && partnerId !== caller.organizationId) return c.json({ items: [], nextCursor: null }, 200);
      const rows = await listReferrals(hub.sql, { partnerOrgId: caller.organizationId, status, participantId }, limit, cursor);
      const result = page(rows, limit, (r) => r);
      // The same projection as a single read, each one recorded as a disclosure.
      const items = [];
      for (const referral of result.items) items.push(await partnerRead(hub, caller, referral));
      return c.json({ items, nextCursor: result.nextCursor }, 200);
    }
    const rows = await listReferrals(hub.sql, { referrerOrgId: caller.organizationId, status, partnerId, participantId }, limit, cursor);
    const result = page(rows, limit, (r) => r);
    const items = [];
    if (result.items.length > 0) {
      await appendAudit(hub.sql, { actor: caller.clientId, action: 'referrals.listed', detail: { ids: result.items.map((r) => r.id) } });
    }
    for (const referral of result.items) {
      const view = await referrerView(hub, referral);
      // Filtered on the status the referrer sees, so the filter cannot reveal a withheld one.
      if (!status || view.status === status) items.push(view);
    }
    return c.json({ items, nextCursor: result.nextCursor }, 200);
  });

  app.openapi(replayRoute, async (c) => {
    const caller = requireRole(c, 'planner', 'admin');
    return c.json(createdView(await replayReferral(hub, caller, c.req.valid('param').id)), 200);
  });
}
