import http from 'node:http';
import net from 'node:net';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAssertion, startTestHub, type TestHub } from '../support/hub.js';
import { registerClientKey } from '../support/scenario.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OTHER_NAME = 'https://hub.agency.example';

/** A port nothing listens on now, so that the hub's public URL can name the port it will listen on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A raw HTTP request: fetch does not send an Origin header as given. */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A hub configured as `npm start` configures it (public URL `http://localhost:<port>`), reached
 * as its start log prints it (`http://127.0.0.1:<port>`): both names, and `[::1]`, are the same
 * token endpoint; so is a name listed in HUB_ALSO_PUBLIC_URLS.
 */
describe('the token audience and the docs under every name of the hub', () => {
  let hub: TestHub;
  let port: number;
  let orgId: string;
  let client: { clientId: string; privateJwk: JWK };

  beforeAll(async () => {
    port = await freePort();
    hub = await startTestHub({ PORT: String(port), HUB_PUBLIC_URL: `http://localhost:${port}`, HUB_ALSO_PUBLIC_URLS: OTHER_NAME });
    orgId = (await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } })).id;
    client = await registerClientKey(hub, orgId, 'planner');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  async function tokenFor(aud: string) {
    const assertion = await signAssertion(client.clientId, client.privateJwk, { aud });
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }).toString();
    return hub.api.request('POST', '/oauth/token', { raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  it('listens where its log says, on the port its public URL names', () => {
    expect(hub.running.url).toBe(`http://127.0.0.1:${port}`);
  });

  it('accepts an assertion for the token endpoint under localhost, 127.0.0.1, [::1] and an extra configured name', async () => {
    for (const base of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`, OTHER_NAME]) {
      const response = await tokenFor(`${base}/oauth/token`);
      expect(response.status, `${base}: ${JSON.stringify(response.body)}`).toBe(200);
      // The token works whatever name the assertion used: one issuer, the configured public URL.
      const own = await hub.api.request('GET', `/v1/organizations/${orgId}`, { token: response.body.access_token });
      expect(own.status, base).toBe(200);
    }
  });

  it('refuses another audience, saying which audiences it expected', async () => {
    for (const aud of [`http://127.0.0.1:${port + 1}/oauth/token`, 'https://other-hub.example/oauth/token', `http://127.0.0.1:${port}`]) {
      const response = await tokenFor(aud);
      expect(response.status, aud).toBe(400);
      expect(response.body.error).toBe('invalid_grant');
      expect(response.body.error_description).toContain('aud');
      for (const expected of [`http://localhost:${port}/oauth/token`, `http://127.0.0.1:${port}/oauth/token`, `${OTHER_NAME}/oauth/token`]) {
        expect(response.body.error_description).toContain(expected);
      }
    }
  });

  describe('the docs page', () => {
    it('loads its API description from the origin it was opened on', async () => {
      const page = await fetch(`${hub.running.url}/docs`);
      expect(page.status).toBe(200);
      // A relative URL: the browser fetches it from the page's own origin.
      expect(await page.text()).toMatch(/url: '\/openapi\.json'/);
    });

    it('sends Swagger’s calls to the origin the description was loaded from, so no CORS is needed', async () => {
      const documentUrl = `${hub.running.url}/openapi.json`;
      const doc = (await (await fetch(documentUrl)).json()) as { servers: { url: string }[] };
      // What Swagger UI does with the first server: resolve it against the document's URL.
      const base = new URL(doc.servers[0]!.url, documentUrl);
      expect(base.origin).toBe(hub.running.url);
      const call = await fetch(new URL(`v1/organizations/${orgId}`, base), { headers: { authorization: `Bearer ${hub.adminToken}` } });
      expect(call.status).toBe(200);
      // The configured public URL is still listed, for readers of the document elsewhere.
      expect(doc.servers.map((s) => s.url)).toContain(`http://localhost:${port}`);
    });

    it('keeps CORS closed: another origin gets no permission to read', async () => {
      for (const [method, headers] of [
        ['GET', { origin: 'https://evil.example' }],
        ['OPTIONS', { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }],
      ] as const) {
        const response = await rawRequest(hub.running.url!, method, '/openapi.json', headers);
        expect(response.headers['access-control-allow-origin'], method).toBeUndefined();
      }
    });
  });
});
