/**
 * What the rest of the hub may use of `adapters/`: the registry's questions about a kind (its wire
 * shape, capabilities, preparation and construction) and the message contract. Nothing outside
 * this folder names a kind or reaches into one.
 */
export {
  ADAPTER_TYPES, AdapterInput, AdapterView, adapterKind, buildAdapter, capabilitiesOf, kindsThat, noticeTokenMatches, pollEverySeconds, showAdapter,
  type AdapterType, type StoredAdapterSetting,
} from './registry.js';
export { prepareAdapter, type PreparedAdapter } from './prepare.js';
/** Standard Webhooks signing, for tools that receive what the hub sends (`hubctl listen`). */
export { decodeSecret, generateSecret, sign, verify } from './webhook/sign.js';
export type { AdapterCapabilities, ShownOnce } from './kind.js';
export type {
  AdapterOptions, CancelledReferralView, DeliveryContext, DeliveryMessage, DeliveryMessageType, DeliveryResult, EngagementReport, HubSigningKey,
  PartnerAdapter, PartnerReferralView, PartnerStatusReport, SlaBreachView, StatusFetch, StatusFetchResult,
} from './types.js';
