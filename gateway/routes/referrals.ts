import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam, listOf } from '../../schemas/common.js';
import { conflict, unprocessable } from '../../lib/errors.js';
import * as examples from '../openapi-examples.js';
import { described, json, jsonExamples, problems, whoMayCall } from '../openapi.js';
import { ReferralCreated, ReferralInput, ReferralListQuery, ReferralView } from '../../schemas/referral.js';
import { createReferral, createdView, listReferralsFor, readReferral, replayReferral } from '../../services/referrals.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { requireOrgRole, requireRole } from '../roles.js';

const tags = ['Referrals'];

const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({
    param: {
      name: 'idempotency-key', in: 'header',
      description: 'Any string of up to 255 characters. Sending the same key with the same body again returns the first answer (with `Idempotent-Replayed: true`) instead of a second referral; the same key with another body is 422. Keys are per client.',
      example: 'walkthrough-1',
    },
  }),
});

const createRoute_ = createRoute({
  method: 'post', path: '/v1/referrals', tags, operationId: 'createReferral',
  summary: 'Send a referral with its case file',
  description: described(
    'Writes the referral, its case file (each section and note encrypted on its own), the first timeline event and the delivery in one transaction, then answers. ' +
      'The case file goes whole to the hub; what the partner receives is decided at send time, section by section, from the participant’s consents. ' +
      'The status is `queued` when a basis already lets the partner see the participant’s `identity`, else `awaiting_consent`, and the referral goes out as soon as one does.',
    whoMayCall({ planner: 'for a participant its own organisation enrolled' }, 'A participant of another organisation, or an unknown partner,'),
  ),
  request: { headers: IdempotencyHeader, body: { required: true, description: 'The referral and the whole case file.', ...json(ReferralInput, examples.referral.input) } },
  responses: {
    201: { description: 'Accepted: `queued`, or `awaiting_consent` until a basis lets the partner see the participant', ...json(ReferralCreated, examples.referralViews.created) },
    ...problems(400, 401, 403, { 404: 'No such participant (`participantId`) in the caller’s organisation, or no such partner (`partnerId`); `errors` names the field' }),
    ...problems({
      409: { description: 'A request with the same Idempotency-Key is still in flight', example: conflict('a request with this Idempotency-Key is still in flight') },
      422: {
        description: 'The Idempotency-Key was used before with another body',
        example: unprocessable('this Idempotency-Key was used with a different request body', [{ path: 'Idempotency-Key', message: 'reused with another body' }]),
      },
    }),
    ...problems(413, 415, 429, 503),
  },
});
const getRoute = createRoute({
  method: 'get', path: '/v1/referrals/{id}', tags, operationId: 'getReferral',
  summary: 'Read a referral: everything for the referrer, what consent permits for the partner',
  description: described(
    'The referring organisation sees the referral as sent, with its current status, the delivery state and `withheldEvents` (timeline events it may not see). ' +
      'The partner sees only what consent permits it at the moment of the read: the sections and notes permitted, `withheld.count` for what was left out (never which), ' +
      'and the 42 CFR 2.32 redisclosure notice in `notices` whenever substance-use data is included. After a revocation it sees no case data. Every partner read is recorded in the accounting of disclosures.',
    whoMayCall(
      { planner: 'a referral its own organisation sent', partner: 'a referral addressed to its organisation, from the moment it is delivered' },
      'A referral of another organisation, or one not yet delivered to the partner,',
    ),
  ),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The referral, as the caller may see it',
      ...jsonExamples(ReferralView, {
        referrer: { summary: 'As County Probation (the referring planner)', value: examples.referralViews.referrer },
        partner: { summary: 'As Eastside Housing (the partner): justice and substance-use data withheld', value: examples.referralViews.partner },
      }),
    },
    ...problems(400, 401, 403, { 404: 'No such referral, or one the caller may not see' }, 429, 503),
  },
});
const listRoute = createRoute({
  method: 'get', path: '/v1/referrals', tags, operationId: 'listReferrals',
  summary: 'List referrals: those the planner’s organisation sent, or those delivered to the partner',
  description: described(
    'Newest first, cursor-paginated. A planner sees the referrals its organisation sent, with the status it may see (the `status` filter works on that status, so it cannot reveal a withheld one). ' +
      'A partner sees the referrals delivered to its organisation, each projected as a single read would be and each recorded as a disclosure; this is a portal partner’s inbox.',
    whoMayCall({ planner: 'referrals its own organisation sent', partner: 'referrals delivered to its organisation' }),
  ),
  request: { query: ReferralListQuery },
  responses: {
    200: { description: 'Referrals the caller may see, newest first', ...json(listOf(ReferralView, 'ReferralList'), { items: [examples.referralViews.referrer], nextCursor: null }) },
    ...problems(400, 401, 403, 429, 503),
  },
});
const replayRoute = createRoute({
  method: 'post', path: '/v1/referrals/{id}/replay', tags, operationId: 'replayReferral',
  summary: 'Send a delivery_failed referral again, under the same webhook-id',
  description: described(
    'Puts a referral whose delivery attempts ran out back in the queue (status `queued`), after the partner’s endpoint is fixed. ' +
      'The message keeps its `webhook-id`, so a partner that de-duplicates on it sees the referral once. Consent is decided again at send time.',
    whoMayCall({ planner: 'a referral its own organisation sent', admin: 'any referral' }, 'A referral of another organisation'),
  ),
  request: { params: IdParam },
  responses: {
    200: { description: 'Back in the queue', ...json(ReferralCreated, examples.referralViews.replayed) },
    ...problems(400, 401, 403, { 404: 'No such referral, or one the caller may not see' }),
    ...problems({ 409: { description: 'The referral is not `delivery_failed`', example: conflict('only a delivery_failed referral can be replayed', { allowed: [] }) } }, 429, 503),
  },
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
    // The referring organisation and the delivered-to partner only; an admin reading the case file would be an unrecorded disclosure.
    const caller = requireRole(c, 'planner', 'partner');
    return c.json(await readReferral(hub, caller, c.req.valid('param').id), 200);
  });

  app.openapi(listRoute, async (c) => {
    const caller = requireOrgRole(c, 'planner', 'partner');
    return c.json(await listReferralsFor(hub, caller, c.req.valid('query')), 200);
  });

  app.openapi(replayRoute, async (c) => {
    const caller = requireRole(c, 'planner', 'admin');
    return c.json(createdView(await replayReferral(hub, caller, c.req.valid('param').id)), 200);
  });
}
