/**
 * The algorithms a system client may sign its assertions with (SMART Backend Services
 * `private_key_jwt`): what the token endpoint verifies and advertises, what `hubctl keygen`
 * generates and what the development keys offer. Listed here once.
 */
export const CLIENT_ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'RS384', 'EdDSA'] as const;
export type ClientKeyAlg = (typeof CLIENT_ASSERTION_ALGORITHMS)[number];
