import type { Disclosed } from '../consent/disclosed.js';

/**
 * The adapter contract. Every partner kind (webhook, portal, fhir, ...) implements
 * `PartnerAdapter`; a new kind is one folder under `adapters/` and one line in `registry.ts`
 * (what a kind declares besides the adapter itself: `kind.ts`).
 *
 * Adapters only ever see `Disclosed<...>` values. The brand can only be produced by the consent
 * projection, so an adapter cannot be handed (or build) a raw case file. Deliberately, nothing in
 * `adapters/` fabricates a `Disclosed` value, not even for the data-free cancellation message:
 * the delivery worker owns that.
 */

/** What a partner is allowed to see of one referral: the wire shape lives in schemas/. */
import type { PartnerReferralView } from '../schemas/referral.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';
import type { SigningKeys } from '../crypto/signing-keys.js';
export type { PartnerReferralView };

export type { CancelledReferralView, SlaBreachView } from '../consent/disclosed.js';
import type { CancelledReferralView, SlaBreachView } from '../consent/disclosed.js';

/**
 * Routing facts that travel beside the disclosed view: opaque hub ids and organisation names, no
 * case data. The worker sets it only after consent permitted `identity`, since `subjectRef` lets
 * the partner link referrals of one participant. Adapters that need it (FHIR: the Patient's
 * identifier, ServiceRequest.requester, Task.owner) read it from here, never from the database.
 */
export interface DeliveryContext {
  /** The hub's participant id (opaque). */
  subjectRef: string;
  referrer: { id: string; name: string };
  partner: { id: string; name: string };
}

export type DeliveryMessage =
  | {
      /** Becomes `webhook-id`; the worker keeps it stable across retries so partners can dedupe. */
      messageId: string;
      type: 'referral.created';
      referral: Disclosed<PartnerReferralView>;
      context?: DeliveryContext;
    }
  | {
      messageId: string;
      type: 'referral.cancelled';
      referral: Disclosed<CancelledReferralView>;
    }
  | {
      /** To the referring organisation, not the partner: it goes through the referrer's adapter. */
      messageId: string;
      type: 'referral.sla_breached';
      referral: Disclosed<SlaBreachView>;
    };

export type DeliveryMessageType = DeliveryMessage['type'];

/**
 * `retry` lets the worker reschedule on the Standard Webhooks schedule; `permanent_failure` stops
 * retrying (the worker should flag the delivery for a human). Error strings are written to logs
 * and the delivery record, so they must never contain case data (i.e. the request body).
 */
export type DeliveryResult =
  | { outcome: 'delivered'; detail?: string }
  | { outcome: 'retry'; error: string }
  | { outcome: 'permanent_failure'; error: string };

/** A failed call as an adapter describes it: worth another attempt, or not. */
export interface CallFailure {
  kind: 'retry' | 'permanent';
  error: string;
}

/** The one mapping of a described failure to a delivery result, for every adapter. */
export const failureResult = (f: CallFailure): DeliveryResult =>
  f.kind === 'permanent' ? { outcome: 'permanent_failure', error: f.error } : { outcome: 'retry', error: f.error };

/**
 * One change of a referral's status as the partner's own system records it (a FHIR Task version),
 * already mapped to the hub's vocabulary. The hub applies each `version` once.
 */
export interface PartnerStatusReport {
  referralId: string;
  /** The partner's id of its record (FHIR: `Task.id`). */
  recordId: string;
  /** The partner's version of that record (FHIR: `meta.versionId`). */
  version: string;
  /** When the partner changed it (FHIR: `meta.lastUpdated`), as the partner wrote it. */
  changedAt: string;
  /** The partner's own status, for logs (FHIR: `Task.status` and `businessStatus`). */
  source: string;
  /**
   * The hub status that record now stands for; `undefined` when it stands for none (e.g.
   * `requested`). `withdrawn`: the partner stopped the work on its side without saying how; the
   * hub reads it as `rejected` before acceptance and `failed` after.
   */
  status: ReferralStatus | 'withdrawn' | undefined;
  /** The partner's reason (FHIR: `statusReason` or `businessStatus` text), if it gave one. */
  reason?: string;
  /**
   * An engagement fact the record states (FHIR: `Task.businessStatus` "intake-scheduled",
   * "attended" or "no-show"). It describes where the record stands, so later versions repeat it:
   * the hub records it once, when it differs from the referral's last engagement event.
   */
  engagement?: EngagementReport;
}

export interface EngagementReport {
  type: 'intake_scheduled' | 'attended' | 'no_show';
  /** ISO date-time of the appointment (required by the hub for `intake_scheduled`). */
  appointmentAt?: string;
}

export interface StatusFetch {
  reports: PartnerStatusReport[];
  /** Where the next fetch starts; keep it only once every report was applied. */
  cursor: string | undefined;
}

export type StatusFetchResult = ({ outcome: 'ok' } & StatusFetch) | { outcome: 'error'; error: string };

export interface PartnerAdapter {
  /** The kind's name (`adapters/registry.ts`), for metrics and logs. */
  readonly type: string;
  /** Must never throw: every failure is reported as a `DeliveryResult`. Must be idempotent per `messageId`. */
  deliver(msg: DeliveryMessage): Promise<DeliveryResult>;
  /**
   * For partners that do not call the hub (docs/architecture.md, "Adapters"): the status changes recorded on
   * their system since `cursor` (undefined: from the beginning). Must never throw.
   */
  fetchStatusChanges?(cursor: string | undefined): Promise<StatusFetchResult>;
}

/** Deployment-wide knobs every adapter gets. */
export interface AdapterOptions {
  /** `HUB_ALLOW_PRIVATE_TARGETS`: permit loopback/private/link-local targets (tests, closed networks). */
  allowPrivate: boolean;
  /** Upper bound for one delivery attempt, connect to last byte (`HUB_DELIVERY_TIMEOUT_MS`, 15 s by default). */
  timeoutMs: number;
  now?: () => Date;
  /** The hub's own signing key (hub.signingKeys.signer): signs SMART Backend Services client assertions. */
  signingKey?: HubSigningKey;
}

export type HubSigningKey = SigningKeys['signer'];
