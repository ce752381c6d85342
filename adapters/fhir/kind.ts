import { z } from '@hono/zod-openapi';
import { defineAdapterKind } from '../kind.js';
import type { FhirAdapterConfig } from './config.js';
import { createFhirAdapter } from './index.js';
import { generateNotifyToken, sameToken } from './notify-token.js';

/** FHIR R4 partners: resources written onto their server, status read back from its Tasks. */

const Input = z.strictObject({
  type: z.literal('fhir').openapi({ description: 'Resources written onto the partner’s FHIR R4 server; status read back from its Task.' }),
  baseUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'The FHIR R4 base URL of the partner’s server.', example: 'https://ehr.example/fhir/R4' }),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('none').openapi({ description: 'The server needs no authentication.' }) }),
      z.strictObject({
        type: z.literal('bearer').openapi({ description: 'A static bearer token.' }),
        token: z.string().min(1).max(4000).openapi({ description: 'The token; stored encrypted and never shown back.' }),
      }),
      // SMART Backend Services: the hub signs its client assertion with its own key (/.well-known/jwks.json).
      z.strictObject({
        type: z.literal('smart').openapi({ description: 'SMART Backend Services: the hub signs a client assertion with its own key (`/.well-known/jwks.json`).' }),
        tokenUrl: z.url({ protocol: /^https?$/ }).max(2000).openapi({ description: 'The partner’s token endpoint (checked like `baseUrl`).' }),
        clientId: z.string().min(1).max(300).openapi({ description: 'The hub’s client id at the partner.' }),
        scope: z.string().min(1).max(2000).optional().openapi({ description: 'The scope to ask for, if the partner needs one.' }),
      }),
    ])
    .optional()
    .openapi({ description: 'How the hub authenticates to the partner’s server; none when absent.' }),
  pollIntervalSeconds: z.number().int().min(1).max(3600).default(30).openapi({ description: 'How often the hub reads the partner’s Tasks for status changes, in seconds.' }),
}).openapi({ description: 'A partner with a FHIR R4 server.' });

const View = z.object({
  type: z.literal('fhir').openapi({ description: 'A FHIR R4 server.' }),
  baseUrl: z.string().openapi({ description: 'The FHIR R4 base URL.' }),
  auth: z
    .object({
      type: z.enum(['none', 'bearer', 'smart']).openapi({ description: 'How the hub authenticates; a bearer token is never shown.' }),
      tokenUrl: z.string().optional().openapi({ description: 'SMART: the partner’s token endpoint.' }),
      clientId: z.string().optional().openapi({ description: 'SMART: the hub’s client id at the partner.' }),
      scope: z.string().optional().openapi({ description: 'SMART: the scope asked for.' }),
    })
    .optional()
    .openapi({ description: 'How the hub authenticates to the server.' }),
  pollIntervalSeconds: z.number().openapi({ description: 'Seconds between reads of the partner’s Tasks.' }),
});

type SmartSettings = { type: 'smart'; tokenUrl: string; clientId: string; scope?: string };

export interface StoredFhirAdapter {
  type: 'fhir';
  baseUrl: string;
  /** SMART settings are not secret (the hub's own key signs); a bearer token lives in the secrets. */
  auth?: { type: 'none' } | { type: 'bearer' } | SmartSettings;
  pollIntervalSeconds: number;
}

/** Encrypted at rest; the field names are what rows written by earlier versions hold. */
export interface FhirSecrets {
  fhirToken?: string;
  fhirNotifyToken: string;
}

/** Used when a row predates `pollIntervalSeconds` (the input's default). */
const DEFAULT_POLL_SECONDS = 30;

export const fhirKind = defineAdapterKind<'fhir', typeof Input, typeof View, StoredFhirAdapter, FhirSecrets>({
  type: 'fhir',
  input: Input,
  view: View,
  // SLA notices to a referrer are webhooks only: no FHIR resource is agreed for them.
  capabilities: { pushes: true, polls: true, takesNotices: true, receivesReferrerNotices: false },
  targets: (input) => [['baseUrl', input.baseUrl], ...(input.auth?.type === 'smart' ? [['auth.tokenUrl', input.auth.tokenUrl] as [string, string]] : [])],
  prepare(input) {
    // Every FHIR partner gets a token for its rest-hook subscription, new with every adapter set.
    const notifyToken = generateNotifyToken();
    const auth: StoredFhirAdapter['auth'] = input.auth?.type === 'smart'
      ? { type: 'smart', tokenUrl: input.auth.tokenUrl, clientId: input.auth.clientId, ...(input.auth.scope ? { scope: input.auth.scope } : {}) }
      : { type: input.auth?.type ?? 'none' };
    return {
      stored: { type: 'fhir', baseUrl: input.baseUrl, auth, pollIntervalSeconds: input.pollIntervalSeconds },
      secrets: { ...(input.auth?.type === 'bearer' ? { fhirToken: input.auth.token } : {}), fhirNotifyToken: notifyToken },
      shownOnce: { notifyToken },
    };
  },
  show: (stored) => ({
    type: 'fhir', baseUrl: stored.baseUrl, pollIntervalSeconds: stored.pollIntervalSeconds,
    auth: stored.auth?.type === 'smart' ? { ...stored.auth } : { type: stored.auth?.type ?? 'none' },
  }),
  build(stored, secrets, opts) {
    const config: FhirAdapterConfig = {
      type: 'fhir', baseUrl: stored.baseUrl, pollIntervalSeconds: stored.pollIntervalSeconds,
      auth: stored.auth?.type === 'smart' ? stored.auth : secrets.fhirToken ? { type: 'bearer', token: secrets.fhirToken } : { type: 'none' },
    };
    return createFhirAdapter(config, opts);
  },
  pollEverySeconds: (stored) => stored.pollIntervalSeconds ?? DEFAULT_POLL_SECONDS,
  noticeTokenMatches: (secrets, given) => secrets.fhirNotifyToken !== undefined && sameToken(given, secrets.fhirNotifyToken),
});
