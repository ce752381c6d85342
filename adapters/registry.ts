import { createFhirAdapter } from './fhir/index.js';
import { createPortalAdapter } from './portal/index.js';
import type { AdapterConfig, AdapterOptions, PartnerAdapter } from './types.js';
import { createWebhookAdapter } from './webhook/index.js';

/**
 * The one place that maps a partner's configured kind to its adapter. A new partner kind is one
 * folder under `adapters/` plus one `case` here; the `never` check makes a forgotten case a type
 * error.
 */
export function createAdapter(config: AdapterConfig, opts: AdapterOptions): PartnerAdapter {
  switch (config.type) {
    case 'webhook':
      return createWebhookAdapter(config, opts);
    case 'portal':
      return createPortalAdapter();
    case 'fhir':
      return createFhirAdapter(config, opts);
    default: {
      const unknownConfig: never = config;
      throw new Error(`unknown adapter type: ${(unknownConfig as { type: string }).type}`);
    }
  }
}
