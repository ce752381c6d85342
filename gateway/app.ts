import { OpenAPIHono } from '@hono/zod-openapi';
import { secureHeaders } from 'hono/secure-headers';
import { routePath } from 'hono/route';
import { bodyLimit } from './body-limit.js';
import { HubError, badRequest, notFound, tooLarge, unauthorized, unavailable } from '../lib/errors.js';
import { createAccessTokenVerifier } from './auth/access-tokens.js';
import type { AppEnv } from './context.js';
import type { Hub } from '../services/hub.js';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan, problemResponse, rejectNulCharacters, toHubError, validationError } from './problem.js';
import { registerConsentRoutes } from './routes/consents.js';
import { registerDisclosureRoutes } from './routes/disclosures.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerOrganizationRoutes } from './routes/organizations.js';
import { registerParticipantRoutes } from './routes/participants.js';
import { registerReferralRoutes } from './routes/referrals.js';
import { registerEventRoutes } from './routes/events.js';
import { registerFhirNotifyRoutes } from './routes/fhir-notify.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerHomeRoutes } from './routes/home.js';
import { registerIndicatorRoutes } from './routes/indicators.js';
import { registerStaffRoutes } from './routes/staff.js';
import { registerIdentityProviderRoutes } from './routes/identity-providers.js';
import { createConsole, CONSOLE_PATH } from './console/routes.js';
import { DOCUMENT_INFO, TAGS } from './openapi.js';
import { databaseUnavailableDetail, isDatabaseUnavailable } from '../db/errors.js';
import { rateLimit } from './rate-limit.js';
import { withAlternateBodies } from './routes/consents.js';

export function createApp(hub: Hub) {
  const app = new OpenAPIHono<AppEnv>({
    // Every schema failure, on every route, becomes one problem+json 400 naming the fields.
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
      rejectNulCharacters(result.data);
    },
  });

  app.onError((error, c) => {
    const known = toHubError(error);
    if (known) return problemResponse(known);
    if (isDatabaseUnavailable(error)) return problemResponse(unavailable(databaseUnavailableDetail(error)));
    hub.logger.error({ err: { message: (error as Error).message, stack: (error as Error).stack }, path: c.req.path }, 'unhandled error');
    return problemResponse(new HubError(500, 'Internal Server Error', 'an unexpected error occurred; it has been logged'));
  });
  app.notFound((c) => problemResponse(notFound(`route ${c.req.method} ${c.req.path}`)));

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c) ?? 'unmatched';
    hub.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    hub.metrics.httpDuration.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
  });
  app.use('*', secureHeaders());
  // Answers under /v1 can carry case data: no browser or proxy may keep a copy. Set around
  // everything else on /v1 (the body limit's 413, the token check's 401, the 429, every problem),
  // since a header set after a middleware's `next()` is skipped when that middleware throws.
  app.use('/v1/*', async (c, next) => {
    await next();
    // On the answer's own headers, as secureHeaders does: `c.header()` after the answer exists
    // rebuilds it as a full WHATWG Response on the Node adapter (a stream and a body copy per request).
    c.res.headers.set('cache-control', 'no-store');
  });
  app.use(
    '*',
    bodyLimit({ maxSize: hub.config.HUB_BODY_LIMIT_BYTES, onError: () => problemResponse(tooLarge(hub.config.HUB_BODY_LIMIT_BYTES)) }),
  );

  const verify = createAccessTokenVerifier(hub.signingKeys, hub.config.publicUrl);
  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw unauthorized('an Authorization: Bearer access token is required');
    c.set('caller', await verify(match[1]!));
    await next();
  });
  app.use('/v1/*', rateLimit(hub.redis, hub.config.HUB_QUEUE_PREFIX, hub.config.HUB_RATE_LIMIT_RPS));
  // Before any JSON body is parsed or validated: nesting past any schema's needs is a 400, not a stack overflow.
  app.use('/v1/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && /json/i.test(c.req.header('content-type') ?? '')) {
      if (jsonNestsDeeperThan(await c.req.text(), MAX_JSON_DEPTH)) {
        throw badRequest(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`, [{ path: 'body', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }]);
      }
    }
    await next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  registerHomeRoutes(app);
  app.route(CONSOLE_PATH, createConsole(hub));
  registerSystemRoutes(app, hub);
  registerOAuthRoutes(app, hub);
  registerOrganizationRoutes(app, hub);
  registerStaffRoutes(app, hub);
  registerIdentityProviderRoutes(app, hub);
  registerParticipantRoutes(app, hub);
  registerReferralRoutes(app, hub);
  registerEventRoutes(app, hub);
  registerConsentRoutes(app, hub);
  registerDisclosureRoutes(app, hub);
  registerIndicatorRoutes(app, hub);
  registerFhirNotifyRoutes(app, hub);

  const config = {
    openapi: '3.1.0',
    info: {
      ...DOCUMENT_INFO, // the overview, the roles and the conventions: gateway/openapi.ts
    },
    // Relative first: the docs page calls the API on the origin it was loaded from (127.0.0.1,
    // localhost or any other name), so it needs no CORS, which stays closed.
    servers: [
      { url: '/', description: 'This hub, where this document was loaded from' },
      { url: hub.config.publicUrl, description: 'The hub’s configured public URL' },
    ],
    security: [{ bearer: [] }],
    tags: TAGS,
  };
  let document: unknown;
  app.get('/openapi.json', (c) => {
    // Generated once, from the same schemas that validate the requests.
    document ??= withAlternateBodies(app.getOpenAPI31Document(config));
    return c.json(document as Record<string, unknown>);
  });
  return app;
}
