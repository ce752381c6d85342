import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unauthorized } from '../../lib/errors.js';
import { problem } from '../../schemas/common.js';
import { adapterSecrets, getOrganization } from '../../store/organizations.js';
import { requestPoll } from '../../workers/queues.js';
import type { AppEnv, Hub } from '../context.js';

/**
 * FHIR rest-hook notifications (R4 `Subscription.channel.type = rest-hook`): a partner whose
 * server pushes tells the hub that a Task changed, and the hub polls that partner at once instead
 * of waiting for the next interval. The body is ignored on purpose: the hub reads the Task from
 * the partner's server itself, so a notification can only make a poll happen sooner, never
 * change what is applied.
 *
 * Authentication: `Authorization: Bearer <notifyToken>`, the per-partner token returned once
 * when the FHIR adapter was set (put it in `Subscription.channel.header`). Hub access tokens last
 * 5 minutes, too short for a subscription's static header.
 */

export const generateNotifyToken = () => `fhirnt_${randomBytes(24).toString('base64url')}`;

const PartnerParam = z.object({ partnerId: z.string().max(100).openapi({ param: { name: 'partnerId', in: 'path' } }) });

const notifyRoute = createRoute({
  method: 'post', path: '/fhir/notify/{partnerId}', tags: ['FHIR partners'],
  summary: 'Rest-hook notification from a FHIR partner: poll its Tasks now',
  description: 'Authenticated with `Authorization: Bearer <notifyToken>` (returned when the FHIR adapter was registered). The body (empty, a resource, or a notification Bundle) is not read.',
  security: [{ fhirNotifyToken: [] }],
  request: { params: PartnerParam },
  responses: {
    202: { description: 'A poll of the partner’s Tasks was requested', content: { 'application/json': { schema: z.object({ status: z.literal('poll requested') }) } } },
    401: problem('Missing or wrong notify token, or no such FHIR partner'),
  },
});

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerFhirNotifyRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'fhirNotifyToken', { type: 'http', scheme: 'bearer', description: 'A FHIR partner’s notify token' });
  app.openapi(notifyRoute, async (c) => {
    const { partnerId } = c.req.valid('param');
    const given = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    // One answer for "no such partner" and "wrong token": partner ids are not confirmed to strangers.
    const refuse = () => unauthorized('a valid notify token for this partner is required');
    if (!given) throw refuse();
    const partner = await getOrganization(hub.sql, partnerId);
    if (!partner || partner.adapter.type !== 'fhir') throw refuse();
    const expected = (await adapterSecrets(hub.keyring, partner)).fhirNotifyToken;
    if (!expected || !sameToken(given, expected)) throw refuse();
    await requestPoll(hub.statusPolls, hub.redis, hub.config.HUB_QUEUE_PREFIX, partner.id);
    return c.json({ status: 'poll requested' as const }, 202);
  });
}
