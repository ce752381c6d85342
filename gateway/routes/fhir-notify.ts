import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { unauthorized } from '../../lib/errors.js';
import { problems } from '../openapi.js';
import type { AppEnv } from '../context.js';
import type { Hub } from '../../services/hub.js';
import { acceptStatusNotice } from '../../services/status-sync.js';

/**
 * FHIR rest-hook notifications (R4 `Subscription.channel.type = rest-hook`): a partner whose
 * server pushes tells the hub that a Task changed, and the hub polls that partner at once instead
 * of waiting for the next interval. The body is ignored on purpose: the hub reads the Task from
 * the partner's server itself, so a notification can only make a poll happen sooner, never
 * change what is applied.
 *
 * Authentication: `Authorization: Bearer <notifyToken>`, the per-partner token returned once
 * when the FHIR adapter was set (put it in `Subscription.channel.header`; adapters/fhir/notify-token.ts).
 */

const PartnerParam = z.object({
  partnerId: z.string().max(100).openapi({ param: { name: 'partnerId', in: 'path', description: 'The FHIR partner’s organisation id.', example: 'org_EastsideHousing0000001' } }),
});

const notifyRoute = createRoute({
  method: 'post', path: '/fhir/notify/{partnerId}', tags: ['FHIR partners'], operationId: 'notifyFhirTaskChange',
  summary: 'Rest-hook notification from a FHIR partner: poll its Tasks now',
  description:
    'A partner whose FHIR server supports R4 subscriptions sets a `rest-hook` channel to this URL; the hub then polls that partner’s Tasks at once instead of at the next interval. ' +
    'The body (empty, a resource, or a notification Bundle) is not read: the hub reads the Tasks from the partner’s server itself, so a notification can only make a poll happen sooner.\n\n' +
    '**Who may call**: the FHIR partner, with `Authorization: Bearer <notifyToken>` (returned once when its FHIR adapter was registered; put it in `Subscription.channel.header`). No hub access token is needed.',
  security: [{ fhirNotifyToken: [] }],
  request: { params: PartnerParam },
  responses: {
    202: { description: 'A poll of the partner’s Tasks was requested', content: { 'application/json': { schema: z.object({ status: z.literal('poll requested').openapi({ description: 'Always `poll requested`.' }) }), example: { status: 'poll requested' } } } },
    ...problems(400, {
      401: { description: 'Missing or wrong notify token, or no such FHIR partner (the two are not told apart)', example: unauthorized('a valid notify token for this partner is required') },
    }, 413, 503),
  },
});

export function registerFhirNotifyRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'fhirNotifyToken', { type: 'http', scheme: 'bearer', description: 'A FHIR partner’s notify token' });
  app.openapi(notifyRoute, async (c) => {
    const { partnerId } = c.req.valid('param');
    await acceptStatusNotice(hub, partnerId, c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1]);
    return c.json({ status: 'poll requested' as const }, 202);
  });
}
