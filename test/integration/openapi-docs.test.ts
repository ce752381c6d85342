import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

type Operation = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, as [path, method, operation]. */
function operations(doc: any): [string, string, Operation][] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    Object.entries<Operation>(item).filter(([method]) => METHODS.includes(method)).map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

/** The roles an operation's "Who may call" list names. */
function documentedRoles(operation: Operation): string[] {
  return [...String(operation.description).matchAll(/^- `(admin|planner|partner|compliance|manager)`:/gm)].map((m) => m[1]!);
}

function resolve(doc: any, ref: string): any {
  return ref.replace(/^#\//, '').split('/').reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function walk(node: unknown, where: string, visit: (node: any, where: string) => void): void {
  if (Array.isArray(node)) node.forEach((child, i) => walk(child, `${where}/${i}`, visit));
  else if (node && typeof node === 'object') {
    visit(node, where);
    for (const [key, child] of Object.entries(node)) walk(child, `${where}/${key}`, visit);
  }
}

/** The members of `body` (and of its nested objects) that `schema` does not list. */
function undocumentedMembers(doc: any, body: unknown, schema: any, where = ''): string[] {
  const resolved = schema?.$ref ? resolve(doc, schema.$ref) : schema;
  if (!resolved?.properties || !body || typeof body !== 'object' || Array.isArray(body)) return [];
  return Object.entries(body).flatMap(([key, value]) =>
    key in resolved.properties ? undocumentedMembers(doc, value, resolved.properties[key], `${where}.${key}`) : [`${where}.${key}`],
  );
}

/** A well-formed id of nothing: the role check comes first, so a real object is not needed. */
const UNKNOWN = { par: `par_${'u'.repeat(22)}`, org: `org_${'u'.repeat(22)}` };

/** The operation's path with its id and required query parameters filled in. */
function requestPath(path: string, operation: Operation): string {
  const query = new URLSearchParams();
  for (const p of operation.parameters ?? []) {
    if (p.in !== 'query' || !p.required) continue;
    const value: Record<string, string> = { purpose: 'care_coordination', participantId: UNKNOWN.par, from: '2026-01-01', to: '2026-04-01' };
    query.set(p.name, value[p.name] ?? UNKNOWN.org);
  }
  const filled = path.replace('{id}', path.includes('participants') ? UNKNOWN.par : path.includes('organizations') ? UNKNOWN.org : `ref_${'u'.repeat(22)}`);
  return query.size ? `${filled}?${query}` : filled;
}

/** The operation's documented JSON request example (the first of several). */
function requestExample(operation: Operation): unknown {
  const media = operation.requestBody?.content?.['application/json'];
  if (!media) return undefined;
  return media.example ?? Object.values<any>(media.examples)[0].value;
}

/** Every /v1 operation of the public API (docs/api.md), as OpenAPI paths. */
const CONTRACT: Record<string, string[]> = {
  '/v1/organizations': ['get', 'post'],
  '/v1/organizations/{id}': ['get', 'patch'],
  '/v1/organizations/{id}/identity-provider': ['get', 'put', 'delete'],
  '/v1/clients': ['post'],
  '/v1/staff': ['post'],
  '/v1/staff/{id}': ['patch'],
  '/v1/staff/{id}/sessions': ['delete'],
  '/v1/participants': ['get', 'post'],
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
  '/v1/targets': ['get', 'post'],
  '/v1/reports/indicators': ['get'],
};

describe('the published API description', () => {
  let hub: TestHub;
  let doc: any;
  const example = (path: string, method: string, name?: string) => {
    const media = doc.paths[path][method].requestBody.content['application/json'];
    return name ? media.examples[name].value : (media.example ?? Object.values<any>(media.examples)[0].value);
  };

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

  it('gives every operation its parameters, a success response and the problem responses it can answer', () => {
    for (const [path, method, operation] of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const codes = Object.keys(operation.responses);
      expect(codes.some((code) => code.startsWith('2')), where).toBe(true);
      if (path.includes('{id}')) expect(operation.parameters.some((p: any) => p.name === 'id' && p.in === 'path' && p.required), where).toBe(true);
      if (!path.startsWith('/v1/')) continue;
      // Every /v1 call is authenticated, role-checked, rate-limited and reads the database.
      const expected = ['401', '403', '429', '503'];
      if (operation.parameters?.length || operation.requestBody) expected.push('400');
      if (operation.requestBody) expected.push('413', '415');
      if (path.includes('{id}')) expected.push('404');
      for (const code of expected) {
        const response = operation.responses[code];
        expect(response?.content, `${where} ${code}`).toHaveProperty(['application/problem+json']);
        const { schema, example } = response.content['application/problem+json'];
        expect(schema.$ref, `${where} ${code}`).toBe('#/components/schemas/Problem');
        expect(example, `${where} ${code}: an example with its own status`).toMatchObject({ status: Number(code), title: expect.any(String), detail: expect.any(String) });
      }
      for (const code of ['429', '503']) expect(operation.responses[code].headers, `${where} ${code}`).toHaveProperty(['Retry-After']);
    }
    expect(doc.paths['/v1/referrals'].post.parameters.some((p: any) => p.name === 'idempotency-key' && p.in === 'header')).toBe(true);
    expect(doc.paths['/v1/referrals'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'status', 'partnerId', 'participantId']));
    // The statuses a route answers beyond the common ones (docs/api.md, "Conventions").
    expect(Object.keys(doc.paths['/v1/referrals'].post.responses)).toEqual(expect.arrayContaining(['404', '409', '422']));
    expect(Object.keys(doc.paths['/v1/referrals/{id}/events'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/v1/referrals/{id}/replay'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/v1/consents'].post.responses)).toEqual(expect.arrayContaining(['404', '422']));
    expect(Object.keys(doc.paths['/v1/consents/{id}/revoke'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/oauth/token'].post.responses)).toEqual(expect.arrayContaining(['400', '401', '413', '429', '503']));
  });

  it('gives every operation a summary, an id and a description that says who may call it', () => {
    const ids = new Set<string>();
    for (const [path, method, operation] of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.summary, where).toMatch(/\w{3,}/);
      expect(operation.description, where).toMatch(/\*\*Who may call\*\*/);
      expect(ids.has(operation.operationId), `${where}: operationId ${operation.operationId} is unique`).toBe(false);
      ids.add(operation.operationId);
      if (path.startsWith('/v1/')) {
        expect(documentedRoles(operation).length, where).toBeGreaterThan(0);
        expect(operation.description, `${where}: says what a wrong role gets`).toContain('403');
      }
    }
    for (const path of ['/v1/referrals/{id}', '/v1/participants/{id}', '/v1/consents/{id}', '/v1/referrals/{id}/timeline']) {
      expect(doc.paths[path].get.description, `${path}: another organisation's object is 404`).toMatch(/another organisation[^.]*\*\*404\*\*/);
    }
  });

  it('names exactly the roles the hub lets through on each /v1 operation (403 for any other)', async () => {
    const probation = await hub.organization({ name: 'County Probation', kind: 'probation', adapter: { type: 'portal' } }, 'planner');
    const tokens: Record<string, string> = {
      admin: hub.adminToken,
      planner: probation.token,
      partner: await hub.client(probation.id, 'partner'),
      compliance: await hub.client(probation.id, 'compliance'),
      manager: await hub.client(probation.id, 'manager'),
    };
    let checked = 0;
    for (const [path, method, operation] of operations(doc)) {
      if (!path.startsWith('/v1/')) continue;
      const allowed = documentedRoles(operation);
      for (const [role, token] of Object.entries(tokens)) {
        const response = await hub.api.request(method.toUpperCase(), requestPath(path, operation), { token, body: requestExample(operation) });
        const where = `${role} on ${method.toUpperCase()} ${path} (documented: ${allowed.join(', ')}) answered ${response.status} ${JSON.stringify(response.body)}`;
        if (allowed.includes(role)) expect(response.status, where).not.toBe(403);
        else expect(response.status, where).toBe(403);
        // Whatever it answers is documented for that operation.
        expect(Object.keys(operation.responses), where).toContain(String(response.status));
        checked++;
      }
    }
    expect(checked).toBe(Object.keys(CONTRACT).reduce((n, path) => n + CONTRACT[path]!.length, 0) * Object.keys(tokens).length);
  });

  it('shows a request example on every body, and response examples', () => {
    for (const [path, method, operation] of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [type, media] of Object.entries<any>(operation.requestBody?.content ?? {})) {
        if (type === 'application/fhir+json') continue; // an R4 resource, described by its own specification
        expect(media.example ?? media.examples, `${where} ${type} request`).toBeDefined();
      }
      const [, success] = Object.entries<any>(operation.responses).find(([code]) => code.startsWith('2'))!;
      const json = success.content?.['application/json'];
      if (json && path !== '/openapi.json') expect(json.example ?? json.examples, `${where} response`).toBeDefined();
    }
    // The walkthrough's data, not Swagger's generated "string" and a birth date of today.
    const participant = doc.paths['/v1/participants'].post.requestBody.content['application/json'].example;
    expect(participant).toEqual({ name: { given: ['Jordan'], family: 'Rivera' }, birthDate: '1990-04-12' });
    const referral = doc.paths['/v1/referrals'].post.requestBody.content['application/json'].example;
    expect(referral).toMatchObject({ service: 'housing', purpose: 'care_coordination', caseFile: { identity: { birthDate: '1990-04-12' } } });
    const partnerView = doc.paths['/v1/referrals/{id}'].get.responses['200'].content['application/json'].examples.partner.value;
    expect(Object.keys(partnerView.caseFile).sort()).toEqual(['contact', 'housing', 'identity', 'notes']);
    expect(partnerView.withheld.count).toBe(3);
  });

  it('accepts its own request examples', async () => {
    // The examples are meant to be copied: the planner's participant example enrols a participant.
    const probation = await hub.organization({ ...example('/v1/organizations', 'post', 'referrer') }, 'planner');
    const created = await hub.api.request('POST', '/v1/participants', { token: probation.token, body: example('/v1/participants', 'post') });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(Object.keys(doc.paths['/v1/participants'].post.responses['201'].content['application/json'].example).sort());
    // A real problem has the members the documented examples show.
    const missing = await hub.api.request('GET', `/v1/participants/${'par_' + 'x'.repeat(22)}`, { token: probation.token });
    expect(missing.status).toBe(404);
    const documented = doc.paths['/v1/participants/{id}'].get.responses['404'].content['application/problem+json'].example;
    expect(Object.keys(missing.body).sort()).toEqual(Object.keys(documented).sort());
    expect(missing.body.type).toBe(documented.type);
  });

  it('describes every property, directly or through the schema it refers to', () => {
    const undescribed: string[] = [];
    const described = (schema: any): boolean =>
      Boolean(schema.description) ||
      Boolean(schema.allOf?.some((part: any) => part.description || (part.$ref && described(resolve(doc, part.$ref))))) ||
      Boolean(schema.$ref && described(resolve(doc, schema.$ref)));
    walk(doc, '#', (node, where) => {
      if (node.properties && typeof node.properties === 'object' && !where.endsWith('/properties')) {
        for (const [name, property] of Object.entries<any>(node.properties)) if (!described(property)) undescribed.push(`${where}/${name}`);
      }
    });
    expect(undescribed).toEqual([]);
    for (const [path, method, operation] of operations(doc)) {
      for (const parameter of operation.parameters ?? []) expect(parameter.description ?? parameter.schema?.description, `${method} ${path} ${parameter.name}`).toBeTruthy();
    }
  });

  it('describes the hub in its own words, pointing only at files the repository holds', () => {
    expect(doc.info.description).toMatch(/## Authentication/);
    for (const role of ['admin', 'planner', 'partner', 'compliance', 'manager']) expect(doc.info.description).toContain(`\`${role}\``);
    const files = [...JSON.stringify(doc).matchAll(/[\w./-]+\.(?:md|ts)\b/g)].map((m) => m[0]);
    for (const file of files) expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
    expect(doc.tags.map((t: any) => t.name)).toEqual(expect.arrayContaining([...new Set(operations(doc).flatMap(([, , op]) => op.tags))]));
  });

  it('documents the operational endpoints as they answer', async () => {
    for (const path of ['/', '/healthz', '/readyz', '/metrics', '/docs', '/openapi.json', '/.well-known/smart-configuration', '/.well-known/jwks.json', '/oauth/token']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    for (const [path, method, operation] of operations(doc)) {
      if (method !== 'get' || path.startsWith('/v1/') || path.includes('{')) continue;
      const response = await fetch(`${hub.running.url}${path}`, { redirect: 'manual' });
      const documented = operation.responses[String(response.status)];
      expect(documented, `GET ${path} answered ${response.status}`).toBeDefined();
      const type = response.headers.get('content-type')?.split(';')[0];
      expect(Object.keys(documented.content ?? {}), `GET ${path} content type`).toContain(type);
      if (type === 'application/json' && path !== '/openapi.json') {
        // Every member the endpoint answers is in its documented schema.
        expect(undocumentedMembers(doc, await response.json(), documented.content[type].schema), `GET ${path}`).toEqual([]);
      } else {
        await response.arrayBuffer();
      }
    }
  });

  it('sends a browser at / to the console’s sign-in page, and gives an API client an index', async () => {
    const browser = await fetch(`${hub.running.url}/`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/console/sign-in');
    for (const accept of ['application/json', '*/*', undefined]) {
      const index = await hub.api.request('GET', '/', { headers: accept ? { accept } : {} });
      expect(index.status, String(accept)).toBe(200);
      expect(index.body).toMatchObject({ name: doc.info.title, version: doc.info.version, links: { docs: '/docs', console: '/console', openapi: '/openapi.json', smartConfiguration: '/.well-known/smart-configuration' } });
      for (const link of Object.values<string>(index.body.links)) expect((await hub.api.request('GET', link)).status, link).toBe(200);
    }
  });

  it('finds the reference at /docs/ too', async () => {
    const slash = await fetch(`${hub.running.url}/docs/`, { redirect: 'manual' });
    expect(slash.status).toBe(301);
    expect(slash.headers.get('location')).toBe('/docs');
    const followed = await hub.api.request('GET', '/docs/');
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toContain('text/html');
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
