import { capabilitiesOf, type DeliveryMessage } from '../adapters/index.js';
import { slaBreachNotice } from '../consent/index.js';
import { transaction } from '../db/connect.js';
import { SLA_KINDS, SLA_TIMERS, breachReason } from '../domain/sla.js';
import { appendAudit } from '../store/audit.js';
import { insertEvent } from '../store/events.js';
import { insertOutbox, newMessageId } from '../store/outbox.js';
import { breachByMessageId, breachesSentBy, lockDueBreaches, recordBreach } from '../store/sla.js';
import type { Caller } from '../domain/caller.js';
import type { SlaKind } from '../domain/sla.js';
import { SWEEP_LOCKS, trySweepLock } from '../store/locks.js';
import { unscoped } from '../store/unscoped.js';
import type { Hub } from './hub.js';
import { recordReverseDisclosure, whatReferrerSees } from './referrer-sight.js';

const SWEEP_LOCK = SWEEP_LOCKS.slaBreaches;
/** Per timer and sweep; more wait for the next sweep, a few seconds later. */
const BATCH = 100;

/**
 * Service-level timers (domain/sla.ts). Deadlines are not scheduled anywhere: each sweep works
 * them out from what Postgres holds (`delivered_at`, the partner's settings, the events), so they
 * survive restarts and a deadline that passed while no worker ran is caught by the first sweep.
 * A breach is recorded once per referral and timer (primary key), in the same transaction as its
 * `sla_breached` timeline event and, when the referring organisation's kind receives referrer notices, the outbox row
 * of its notification. The event leaves the status alone: it is not part of the state machine.
 * One sweeper at a time, whichever process gets the lock (as workers/consent-sweep.ts).
 */
export async function sweepSla(hub: Hub): Promise<{ breached: number; notified: number }> {
  return transaction(hub.sql, async (tx) => {
    if (!(await trySweepLock(tx, SWEEP_LOCK))) return { breached: 0, notified: 0 };
    let breached = 0;
    let notified = 0;
    const at = hub.clock.now();
    for (const kind of SLA_KINDS) {
      for (const due of await lockDueBreaches(tx, SLA_TIMERS[kind], BATCH, at)) {
        const messageId = capabilitiesOf({ type: due.referrerAdapter }).receivesReferrerNotices ? newMessageId() : null;
        // The breach names the status the referrer may see, by the same rule as its timeline.
        const { status } = await whatReferrerSees(hub, (await unscoped.referral(tx, due.referralId))!, tx, at);
        const recorded = await recordBreach(tx, { referralId: due.referralId, kind, deadline: due.deadline, status, partnerId: due.partnerId, messageId });
        if (!recorded) continue;
        await insertEvent(tx, hub.keyring, {
          referralId: due.referralId, type: 'sla_breached', byOrgId: null, statusAfter: status, reason: breachReason(kind, due.sla, due.deadline),
        }, at);
        // The referrer is the recipient: its adapter and its secret carry the notice.
        if (messageId) await insertOutbox(tx, { referralId: due.referralId, kind: 'notify', partnerId: due.referrerOrgId, messageId });
        await appendAudit(tx, {
          actor: 'hub', action: 'referral.sla_breached', subject: due.referralId,
          detail: { sla: kind, deadline: due.deadline.toISOString(), partnerId: due.partnerId, notified: messageId !== null },
        });
        hub.logger.info({ referralId: due.referralId, sla: kind, partnerId: due.partnerId }, 'SLA breached');
        breached += 1;
        if (messageId) notified += 1;
      }
    }
    return { breached, notified };
  });
}

/** The message an outbox row of kind `notify` sends: built at send time from the breach record. */
export async function slaBreachMessage(hub: Hub, messageId: string): Promise<DeliveryMessage> {
  // Written in the same transaction as the outbox row, so it is there.
  const breach = (await breachByMessageId(hub.sql, messageId))!;
  // Decided at send time, like every delivery: a § 2.35 consent revoked since the breach stops the
  // Part 2 program's reported status from reaching the referrer in the notice too.
  const referral = (await unscoped.referral(hub.sql, breach.referralId))!;
  const sight = await whatReferrerSees(hub, referral);
  await recordReverseDisclosure(hub, referral, sight.statusDisclosure);
  const { status } = sight;
  return {
    messageId,
    type: 'referral.sla_breached',
    referral: slaBreachNotice({ id: breach.referralId, status, partnerId: breach.partnerId, sla: breach.kind, deadline: breach.deadline }),
  };
}

/**
 * The breaches recorded on the referrals the caller's organisation sent, by referral: what the
 * planner's caseload flags first. The referrer is told of each breach anyway (its timeline's
 * `sla_breached` event, its webhook), and a breach carries no case data.
 */
export async function breachesOf(hub: Pick<Hub, 'sql'>, caller: Caller & { organizationId: string }, referralIds: readonly string[]): Promise<Map<string, { kind: SlaKind; deadline: string }[]>> {
  const byReferral = new Map<string, { kind: SlaKind; deadline: string }[]>();
  if (caller.role !== 'planner') return byReferral;
  for (const b of await breachesSentBy(hub.sql, caller.organizationId, referralIds)) {
    const list = byReferral.get(b.referralId) ?? [];
    list.push({ kind: b.kind, deadline: b.deadline });
    byReferral.set(b.referralId, list);
  }
  return byReferral;
}
