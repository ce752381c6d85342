import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

/** Every /v1 operation of API.md, as OpenAPI paths. */
const CONTRACT: Record<string, string[]> = {
  '/v1/organizations': ['get', 'post'],
  '/v1/organizations/{id}': ['get', 'patch'],
  '/v1/clients': ['post'],
  '/v1/participants': ['post'],
  '/v1/participants/{id}': ['get'],
  '/v1/participants/{id}/access': ['get'],
  '/v1/participants/{id}/disclosures': ['get'],
  '/v1/referrals': ['get', 'post'],
  '/v1/referrals/{id}': ['get'],
  '/v1/referrals/{id}/events': ['post'],
  '/v1/referrals/{id}/timeline': ['get'],
  '/v1/referrals/{id}/replay': ['post'],
  '/v1/consents': ['get', 'post'],
  '/v1/consents/{id}': ['get'],
  '/v1/consents/{id}/revoke': ['post'],
  '/v1/audit/verify': ['get'],
};

describe('the published API description', () => {
  let hub: TestHub;
  let doc: any;

  beforeAll(async () => {
    hub = await startTestHub();
    const response = await hub.api.request('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    doc = response.body;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('is an OpenAPI 3.1 document with a bearer security scheme', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('describes every /v1 operation of the contract, and the token endpoint', () => {
    for (const [path, methods] of Object.entries(CONTRACT)) {
      expect(doc.paths, path).toHaveProperty([path]);
      for (const method of methods) expect(doc.paths[path], `${method.toUpperCase()} ${path}`).toHaveProperty([method]);
    }
    expect(doc.paths['/oauth/token'].post.requestBody.content).toHaveProperty(['application/x-www-form-urlencoded']);
    expect(doc.paths['/oauth/token'].post.security).toEqual([]);
  });

  it('gives every operation its parameters, a success response and problem responses', () => {
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        const codes = Object.keys(operation.responses);
        expect(codes.some((code) => code.startsWith('2')), where).toBe(true);
        if (path.includes('{id}')) expect(operation.parameters.some((p: any) => p.name === 'id' && p.in === 'path' && p.required), where).toBe(true);
        if (path.startsWith('/v1/')) {
          for (const code of ['400', '401', '403', '404']) expect(operation.responses[code]?.content, `${where} ${code}`).toHaveProperty(['application/problem+json']);
        }
      }
    }
    expect(doc.paths['/v1/referrals'].post.parameters.some((p: any) => p.name === 'idempotency-key' && p.in === 'header')).toBe(true);
    expect(doc.paths['/v1/referrals'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'status', 'partnerId', 'participantId']));
  });

  it('resolves every $ref to a component', () => {
    const refs = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      const [, section, name] = ref.match(/^#\/components\/(\w+)\/(.+)$/) ?? [];
      expect(doc.components?.[section!]?.[name!], ref).toBeDefined();
    }
  });

  it('spells out the fixed vocabularies of the contract', () => {
    const schemas = doc.components.schemas;
    expect(schemas.Service.enum).toContain('transportation');
    expect(schemas.Purpose.enum).toEqual(['treatment', 'care_coordination', 'court_reporting', 'payment']);
    expect(schemas.ReferralStatus.enum).toHaveLength(12);
    expect(schemas.CaseFile.additionalProperties).toBe(false);
    expect(schemas.ReferralInput.required).toEqual(expect.arrayContaining(['participantId', 'partnerId', 'service', 'purpose', 'reason', 'caseFile']));
  });

  it('renders /docs from assets the hub serves itself', async () => {
    const page = await hub.api.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = page.body as string;
    expect(html).toContain('/openapi.json');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset, 'no CDN: agencies run closed networks').toMatch(/^\//);
      const response = await fetch(`${hub.running.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toMatch(asset.endsWith('.css') ? /text\/css/ : /javascript/);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    const csp = page.headers.get('content-security-policy');
    if (csp) expect(csp).toMatch(/script-src[^;]*'unsafe-inline'/);
  });

  it('serves no file outside the Swagger UI assets', async () => {
    for (const path of ['/docs/assets/package.json', '/docs/assets/..%2F..%2Fpackage.json', '/docs/assets/index.html']) {
      const response = await hub.api.request('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
