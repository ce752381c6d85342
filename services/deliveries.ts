import { createHash } from 'node:crypto';
import { buildAdapter, capabilitiesOf, type DeliveryMessage, type DeliveryResult } from '../adapters/index.js';
import { cancellationNotice } from '../consent/index.js';
import { transaction, type Sql } from '../db/connect.js';
import type { DeliveryJob } from '../lib/queues.js';
import { appendAudit } from '../store/audit.js';
import { recordDisclosure } from '../store/disclosures.js';
import { insertEvent } from '../store/events.js';
import { adapterSecrets, type OrganizationRow } from '../store/organizations.js';
import { claimAttempt, finishOutbox, insertOutbox, recordAttempt, scheduleRetry, type OutboxRow } from '../store/outbox.js';
import { markDelivered, setLastError, type ReferralRow } from '../store/referrals.js';
import { unscoped } from '../store/unscoped.js';
import { holdForConsent } from './consents.js';
import { partnerViewOf, pulledViewOf } from './decisions.js';
import type { Hub } from './hub.js';
import { deliverQueued, moveReferral } from './referral-status.js';
import { slaBreachMessage } from './sla-breaches.js';

/** ±20 % jitter, so partners recovering from an outage are not hit by every retry at once. */
const jitter = (seconds: number) => seconds * (0.8 + Math.random() * 0.4);

/** The organisation's adapter, built by its kind from the stored setting and the decrypted secrets. */
export async function adapterFor(hub: Hub, partner: OrganizationRow) {
  const secrets = await adapterSecrets(hub.keyring, partner);
  // The hub's own signing key signs SMART Backend Services client assertions (FHIR partners).
  return buildAdapter(partner.adapter, secrets, { allowPrivate: hub.config.HUB_ALLOW_PRIVATE_TARGETS, timeoutMs: hub.config.HUB_DELIVERY_TIMEOUT_MS, signingKey: hub.signingKeys.signer });
}

/**
 * Whether a delivery to this organisation is a request to its server, and so takes one of the
 * partner's limited slots (workers/partner-limits.ts). A partner that pulls (a portal inbox) has
 * no server the hub could flood: its delivery is a database write, and a slot would only make
 * its backlog bounce through Redis. Unknown organisations keep the limits.
 */
export async function sendsToServer(hub: Pick<Hub, 'organizations'>, organizationId: string): Promise<boolean> {
  const organization = await hub.organizations.get(organizationId);
  return organization ? capabilitiesOf(organization.adapter).pushes : true;
}

/**
 * One delivery attempt, the delivery use case: claim the attempt in Postgres, decide at send time,
 * project, record the disclosure, call the adapter with the message's stable id, then record
 * the outcome and schedule the next attempt or give up visibly.
 */
export async function processDelivery(hub: Hub, job: DeliveryJob): Promise<string> {
  const lease = Math.max(hub.config.HUB_RELAY_LEASE_SECONDS, (hub.config.HUB_DELIVERY_TIMEOUT_MS / 1000) * 2);
  // The claim brings the referral with its participant. The case file is read only once the
  // decision has said which of it may leave.
  const claimed = await claimAttempt(hub.sql, job.outboxId, job.attempt, lease);
  if (!claimed) return 'stale';
  const { outbox: row, referral, participant } = claimed;
  const partner = (await hub.organizations.get(row.partnerId))!;
  const adapter = await adapterFor(hub, partner);

  let message: DeliveryMessage;
  if (row.kind === 'deliver') {
    if (referral.status !== 'queued') {
      await finishOutbox(hub.sql, row.id, `skipped: referral is ${referral.status}`);
      countOutcome(hub, row, 'skipped');
      return 'skipped';
    }
    const pushes = capabilitiesOf(partner.adapter).pushes;
    const { decision, projected, view } = await (pushes ? partnerViewOf : pulledViewOf)(hub, { ...referral, status: 'delivered' }, participant, partner);
    if (!decision.permitted.includes('identity')) {
      // Decided at send time: a consent revoked or expired after the referral was queued stops it.
      const reason = decision.denied.find((d) => d.category === 'identity')?.reason ?? 'no basis permits identity';
      // Re-read under the row lock: a cancellation or a revocation may have landed since the read
      // above, and has then already stopped this delivery; holding it would undo a cancellation.
      const held = await transaction(hub.sql, async (tx) => {
        const current = await unscoped.referral(tx, referral.id, { forUpdate: true });
        if (current?.status !== 'queued') return false;
        await holdForConsent(tx, hub.keyring, current, `delivery stopped: ${reason}`, hub.clock.now());
        return true;
      });
      countOutcome(hub, row, held ? 'held' : 'skipped');
      return held ? 'withheld' : 'skipped';
    }
    if (pushes) {
      // A partner that pulls records its own disclosure when it reads. Recorded before sending: a partner that answers 500 may still have received the data.
      // One row per message and disclosed set, so retries of the same content are one disclosure.
      // A release or replay under another basis (or later) is a disclosure of its own.
      const key = createHash('sha256').update(`${row.id}|${projected.categories.join(',')}|${projected.basisIds.join(',')}`).digest('base64url').slice(0, 22);
      await recordDisclosure(hub.sql, {
        id: `dis_${key}`, participantId: participant.id, recipientOrganizationId: partner.id, referralId: referral.id,
        categories: projected.categories, purpose: referral.purpose, basisIds: projected.basisIds, channel: 'delivery',
      });
      hub.metrics.disclosures.inc({ channel: 'delivery' });
    }
    // Routing facts beside the view (opaque ids, organisation names), sent now that identity is permitted.
    const referrer = (await hub.organizations.get(referral.referrerOrgId))!;
    const context = { subjectRef: participant.id, referrer: { id: referrer.id, name: referrer.name }, partner: { id: partner.id, name: partner.name } };
    message = { messageId: row.messageId, type: 'referral.created', referral: view, context };
  } else if (row.kind === 'notify') {
    // SLA breach notice to the referring organisation (workers/sla-sweep.ts): row.partnerId is
    // the referrer here, so `partner` and `adapter` above are the referrer's. No case data.
    message = await slaBreachMessage(hub, row.messageId);
  } else {
    message = { messageId: row.messageId, type: 'referral.cancelled', referral: cancellationNotice(referral.id) };
  }

  const result = await adapter.deliver(message);
  hub.metrics.deliveries.inc({ adapter: adapter.type, outcome: result.outcome });
  countOutcome(hub, row, await applyOutcome(hub, row, referral, result));
  return result.outcome;
}

/** Per recipient, what each attempt came to (hub_partner_deliveries_total). */
function countOutcome(hub: Hub, row: OutboxRow, outcome: 'delivered' | 'retry' | 'failed' | 'held' | 'skipped') {
  hub.metrics.partnerDeliveries.inc({ partner: row.partnerId, kind: row.kind, outcome });
}

/**
 * Records the attempt and its result in one transaction; answers what came of it: delivered,
 * another attempt, or given up. A referral delivered from `queued`, as nearly every one is, takes
 * one statement (services/referral-status.ts `deliverQueued`). Otherwise, after the row lock, the
 * writes of each outcome depend on nothing but that read, so they are sent together (postgres.js
 * pipelines a transaction's queries): one round trip for them instead of one per statement.
 */
async function applyOutcome(hub: Hub, row: OutboxRow, referral: ReferralRow, result: DeliveryResult): Promise<'delivered' | 'retry' | 'failed'> {
  const attemptsMade = row.attempts + 1;
  // One instant for the outcome: the delivery's stamp and its timeline event agree (SLA timers run from it).
  const at = hub.clock.now();
  const detail = 'error' in result ? result.error : result.detail;
  // The common case in one round trip (a `deliver` row goes out only for a referral read as
  // queued); anything else (the referral moved while the message was in flight, a retry, a
  // failure, a notice) is recorded below under the referral's row lock.
  if (result.outcome === 'delivered' && row.kind === 'deliver') {
    const recorded = await deliverQueued(hub.sql, { outboxId: row.id, referralId: referral.id, messageId: row.messageId, attempt: attemptsMade, detail, at });
    if (recorded) return 'delivered';
  }
  return transaction(hub.sql, async (tx) => {
    // The attempt first, then the row lock: the referral is locked for no longer than its writes.
    const [, current] = await Promise.all([
      recordAttempt(tx, { outboxId: row.id, referralId: referral.id, attempt: attemptsMade, outcome: result.outcome, detail }),
      unscoped.referral(tx, referral.id, { forUpdate: true }).then((r) => r!),
    ]);
    const writes = outcomeWrites(tx, hub, row, current, result, attemptsMade, at);
    await Promise.all(writes.statements);
    return writes.outcome;
  });
}

/** The statements that record an attempt's outcome, given the referral as locked; started, not awaited. */
function outcomeWrites(tx: Sql, hub: Hub, row: OutboxRow, current: ReferralRow, result: DeliveryResult, attemptsMade: number, at: Date):
  { outcome: 'delivered' | 'retry' | 'failed'; statements: Promise<unknown>[] } {
  const referralId = current.id;
  if (result.outcome === 'delivered') {
    const statements: Promise<unknown>[] = [finishOutbox(tx, row.id, 'delivered')];
    if (row.kind !== 'deliver') return { outcome: 'delivered', statements };
    if (current.status === 'queued') {
      statements.push(
        moveReferral(tx, current, 'delivered', { deliveredAt: at, lastError: null }),
        insertEvent(tx, hub.keyring, { referralId, type: 'delivered', byOrgId: null, statusAfter: 'delivered' }, at),
        appendAudit(tx, { actor: 'hub', action: 'referral.delivered', subject: referralId, detail: { partnerId: current.partnerId, messageId: row.messageId } }),
      );
    } else if (current.status === 'awaiting_consent') {
      // A revocation put the referral back to wait while this send was in flight, and the partner
      // took it: the record must say the partner has it. Its reads show only what consent now permits.
      statements.push(
        moveReferral(tx, current, 'delivered', { deliveredAt: at, lastError: null }),
        insertEvent(tx, hub.keyring, {
          referralId, type: 'delivered', byOrgId: null, statusAfter: 'delivered',
          reason: 'received by the partner while a consent change was being recorded',
        }, at),
      );
    } else if (current.status === 'cancelled') {
      // Cancelled while it was being sent: the partner has it, so it must hear of the cancellation.
      statements.push(markDelivered(tx, referralId, at), insertOutbox(tx, { referralId, kind: 'cancel', partnerId: current.partnerId }));
    }
    return { outcome: 'delivered', statements };
  }
  const error = result.error;
  const schedule = hub.config.HUB_DELIVERY_SCHEDULE;
  if (result.outcome === 'retry' && attemptsMade < schedule.length) {
    const statements: Promise<unknown>[] = [scheduleRetry(tx, row.id, jitter(schedule[attemptsMade]!), error)];
    if (row.kind === 'deliver' && current.status === 'queued') statements.push(setLastError(tx, referralId, error));
    return { outcome: 'retry', statements };
  }
  const statements: Promise<unknown>[] = [finishOutbox(tx, row.id, 'failed', error)];
  if (row.kind === 'deliver' && current.status === 'queued') {
    // Visible to the planner, and replayable.
    statements.push(
      moveReferral(tx, current, 'delivery_failed', { lastError: error }),
      insertEvent(tx, hub.keyring, { referralId, type: 'delivery_failed', byOrgId: null, statusAfter: 'delivery_failed', reason: `after ${attemptsMade} attempt(s): ${error}` }, at),
      appendAudit(tx, { actor: 'hub', action: 'referral.delivery_failed', subject: referralId, detail: { attempts: attemptsMade } }),
    );
  }
  return { outcome: 'failed', statements };
}
