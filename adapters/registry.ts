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
      return notImplementedAdapter('fhir');
    default: {
      const unknownConfig: never = config;
      throw new Error(`unknown adapter type: ${(unknownConfig as { type: string }).type}`);
    }
  }
}

/**
 * A placeholder for kinds not built yet (fhir comes in a later issue). It fails every delivery
 * permanently instead of throwing, so a partner configured early gets a clear flagged failure
 * rather than a crashed worker or an endless retry.
 */
function notImplementedAdapter(type: 'fhir'): PartnerAdapter {
  return {
    type,
    async deliver() {
      return { outcome: 'permanent_failure', error: `${type} adapter is not implemented yet` };
    },
  };
}
