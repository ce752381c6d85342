import { Agent } from 'undici';
import { guardedLookup } from './ssrf.js';

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
