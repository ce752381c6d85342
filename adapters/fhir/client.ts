import { Client } from 'fhir-kit-client';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { closeOutboundAgents, describeTransportError, outboundAgent } from '../../lib/net/outbound.js';
import type { CallFailure as DescribedFailure } from '../types.js';
import type { FhirAdapterConfig } from './config.js';

/**
 * The partner's FHIR server through `fhir-kit-client` (docs/fhir.md: every FHIR call goes through
 * it), with the hub's outbound rules added around it:
 * - the socket's DNS lookup is the SSRF guard (checks the address actually connected to);
 * - redirects are refused (they would lead to an address the guard never saw, bearer token attached);
 * - every call carries an abort signal, so one attempt is bounded end to end;
 * - errors become short texts made of status, OperationOutcome issues and error codes, with any
 *   disclosed value that the partner's server echoed cut out.
 */

// fhir-kit-client calls the global fetch with the RequestInit it builds, and Node's fetch honours
// an undici `dispatcher` there: the shared, SSRF-guarded outbound agent.
/** Kept for callers that close only the FHIR side; all outbound agents are shared. */
export const closeFhirAgents = closeOutboundAgents;

export interface FhirClientOptions {
  allowPrivate: boolean;
  timeoutMs: number;
}

export function fhirClient(cfg: FhirAdapterConfig, opts: FhirClientOptions): Client {
  const bearer = cfg.auth?.type === 'bearer' ? cfg.auth.token : undefined;
  return new Client({
    baseUrl: cfg.baseUrl,
    ...(bearer ? { bearerToken: bearer } : {}),
    requestOptions: { dispatcher: outboundAgent(opts.allowPrivate, opts.timeoutMs), redirect: 'error' },
  });
}

/** True when `url` is on the partner's own base URL (same origin, under the base path). */
export function isUnderBase(url: string, baseUrl: string): boolean {
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(baseUrl);
  } catch {
    return false;
  }
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return target.origin === base.origin && (target.pathname === base.pathname || target.pathname.startsWith(basePath));
}

/** Cuts every disclosed string (3+ characters) out of a text the partner's server wrote. */
export type Redactor = (text: string) => string;

export function redactorFor(values: unknown): Redactor {
  const strings = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.trim().length >= 3) strings.add(v.trim());
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(values);
  const sorted = [...strings].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((t, s) => t.split(s).join('[redacted]'), text);
}

const noRedaction: Redactor = (t) => t;

function outcomeText(data: unknown): string | undefined {
  const oo = data as OperationOutcome | undefined;
  if (!oo || typeof oo !== 'object' || oo.resourceType !== 'OperationOutcome' || !Array.isArray(oo.issue)) return undefined;
  const parts = oo.issue.slice(0, 5).map((i) => {
    const text = i.details?.text ?? i.diagnostics;
    const extra = i.details?.text && i.diagnostics ? ` (${i.diagnostics})` : '';
    return `${i.severity}/${i.code}${text ? `: ${text}${extra}` : ''}`;
  });
  return parts.join('; ');
}

/** `retry`: weather (5xx, 408, 409, 412, 429, timeouts, network); `permanent`: the request itself is wrong (other 4xx) or refused. */
export interface CallFailure extends DescribedFailure {
  status?: number;
}

// 409/412: a concurrent change on the partner's side (a version conflict); trying again reads it afresh.
const RETRYABLE_4XX = new Set([408, 409, 412, 423, 425, 429]);
const MAX_ERROR = 500;

/** Turns what fhir-kit-client or fetch threw into a bounded, case-data-free text and a retry decision. */
export function describeFailure(err: unknown, timeoutMs: number, redact: Redactor = noRedaction): CallFailure {
  const response = (err as { response?: { status?: unknown; data?: unknown } }).response;
  if (response && typeof response.status === 'number') {
    const status = response.status;
    const text = outcomeText(response.data);
    const error = redact(`HTTP ${status}${text ? `: ${text}` : ''}`).slice(0, MAX_ERROR);
    const kind = status >= 500 || RETRYABLE_4XX.has(status) ? 'retry' : status >= 400 ? 'permanent' : 'retry';
    return { kind, status, error };
  }
  const failure = describeTransportError(err, timeoutMs);
  return failure.kind === 'retry' ? { kind: 'retry', error: redact(failure.error) } : failure;
}
