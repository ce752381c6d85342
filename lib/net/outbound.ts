import { Agent } from 'undici';
import { guardedLookup, isUnsafeTargetError } from './ssrf.js';

/**
 * The one way the hub opens connections to addresses a client supplied (webhooks, FHIR servers,
 * JWKS URLs): keep-alive agents whose lookup refuses private, loopback and link-local addresses
 * on the address actually connected to (DNS rebinding), with every phase bounded by the timeout.
 * One agent per setting; undici keeps a connection pool per origin inside it.
 */
const agents = new Map<string, Agent>();

export function outboundAgent(allowPrivate: boolean, timeoutMs: number): Agent {
  const key = `${allowPrivate ? 'private-ok' : 'public-only'}|${timeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate), timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the shared agents; for shutdown and test teardown. */
export async function closeOutboundAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.allSettled(all.map((a) => a.close()));
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && chain.length < 8) {
    chain.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * What a failed outbound call means for delivery: a refused target is permanent, a timeout or a
 * network error is worth retrying. Built from error names and codes only, so nothing from the
 * request (case data) can reach the text.
 */
export function describeTransportError(err: unknown, timeoutMs: number): { kind: 'permanent' | 'retry'; error: string } {
  const chain = causes(err);
  const unsafe = chain.find(isUnsafeTargetError);
  if (unsafe) return { kind: 'permanent', error: `unsafe target: ${unsafe.message}` };
  for (const e of chain) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
      return { kind: 'retry', error: `timeout after ${timeoutMs} ms` };
    }
  }
  const coded = chain.find((e) => typeof (e as { code?: unknown }).code === 'string') as { code: string } | undefined;
  // Messages of network errors name hosts and codes, not bodies; still cut to size.
  const message = err instanceof Error ? err.message.slice(0, 200) : 'unknown error';
  return { kind: 'retry', error: `network error${coded ? ` ${coded.code}` : ''}: ${message}` };
}
