import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { accepts } from 'hono/accepts';
import type { AppEnv } from '../context.js';
import { DOCUMENT_INFO, PUBLIC } from '../openapi.js';

/**
 * Where someone who types the hub's address lands. A browser is sent to the web console (which
 * asks who they are); an API client gets a small index of where to go next, rather than a bare 404.
 */
const LINKS = {
  docs: '/docs',
  console: '/console',
  openapi: '/openapi.json',
  smartConfiguration: '/.well-known/smart-configuration',
  health: '/healthz',
} as const;

const Index = z
  .object({
    name: z.string().openapi({ description: 'The API’s name.' }),
    version: z.string().openapi({ description: 'The version of the API this hub serves (that of `/openapi.json`).' }),
    links: z
      .object({
        docs: z.string().openapi({ description: 'The API reference, rendered.' }),
        console: z.string().openapi({ description: 'The web console, where staff sign in.' }),
        openapi: z.string().openapi({ description: 'The API reference as an OpenAPI 3.1 document.' }),
        smartConfiguration: z.string().openapi({ description: 'Where clients find the token endpoint, algorithms and scopes.' }),
        health: z.string().openapi({ description: 'The liveness probe.' }),
      })
      .openapi({ description: 'Paths on this hub, relative to the address the request came to.' }),
  })
  .openapi('Index');

export function registerHomeRoutes(app: OpenAPIHono<AppEnv>) {
  app.get('/', (c) => {
    const wanted = accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' });
    if (wanted === 'text/html') return c.redirect('/console/sign-in', 302);
    return c.json({ name: DOCUMENT_INFO.title, version: DOCUMENT_INFO.version, links: LINKS });
  });
  // Hono routes are strict about the trailing slash; a typed or bookmarked `/docs/` finds the page too.
  app.get('/docs/', (c) => c.redirect(LINKS.docs, 301));

  app.openAPIRegistry.registerPath({
    method: 'get', path: '/', tags: ['Discovery'], operationId: 'getIndex', security: [],
    summary: 'Where to start: links to the reference and the authorization metadata',
    description:
      'An API client (any `Accept` but HTML) gets the index below. A browser (`Accept: text/html` preferred) is redirected to the web console’s sign-in page.\n\n' + PUBLIC,
    responses: {
      200: { description: 'The index', content: { 'application/json': { schema: Index, example: { name: DOCUMENT_INFO.title, version: DOCUMENT_INFO.version, links: LINKS } } } },
      302: { description: 'A browser is sent to the console’s sign-in page', headers: { Location: { description: '`/console/sign-in`', schema: { type: 'string' } } } },
    },
  });
}
