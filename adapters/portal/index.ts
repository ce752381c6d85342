import type { PartnerAdapter } from '../types.js';

/**
 * Portal partners pull (`GET /v1/referrals` or the web inbox), so there is nothing to push: the
 * referral counts as delivered once it is in their inbox, which is already true by the time a
 * delivery is attempted.
 */
export function createPortalAdapter(): PartnerAdapter {
  return {
    type: 'portal',
    async deliver() {
      return { outcome: 'delivered', detail: 'available in partner inbox' };
    },
  };
}
