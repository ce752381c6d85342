/** A FHIR partner's setting as the adapter runs it: the stored setting with its secret put back. */

export type FhirAuthConfig =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  /**
   * SMART Backend Services (`private_key_jwt`): the hub signs its client assertion with its own
   * signing key (`AdapterOptions.signingKey`, published at /.well-known/jwks.json, which the
   * partner registers for `clientId`); no key is stored per partner.
   */
  | { type: 'smart'; tokenUrl: string; clientId: string; scope?: string };

export interface FhirAdapterConfig {
  type: 'fhir';
  baseUrl: string;
  auth?: FhirAuthConfig;
  /** How often Task status is polled on the partner's server. */
  pollIntervalSeconds?: number;
}
