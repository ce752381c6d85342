import type { EngagementReport, PartnerStatusReport } from '../adapters/index.js';
import { transaction, type Sql } from '../db/connect.js';
import { ENGAGEMENT_STATES, standing, step, type PostableEvent, type WorkflowState } from '../domain/referral-workflow.js';
import { eventsToReach } from '../domain/status-path.js';
import type { Hub } from './hub.js';
import type { ReferralStatus } from '../schemas/vocabulary.js';
import { appliedTaskVersion, rememberTaskVersion } from '../store/fhir-sync.js';
import type { OrganizationRow } from '../store/organizations.js';
import { lastEngagementEvent } from '../store/events.js';
import type { ReferralRow } from '../store/referrals.js';
import { unscoped } from '../store/unscoped.js';
import { applyEvent, PARTNER_EVENTS } from './referral-events.js';

/**
 * Status read from a partner's own system (docs/architecture.md, flow 4: "the FHIR adapter polls the
 * partner's Task"), applied as that partner organisation through the same state machine and the
 * same event service as `POST /v1/referrals/{id}/events`.
 */

export type ReportOutcome =
  /** Events were recorded. */
  | 'applied'
  /** A new version, but the referral already stands where it says (e.g. our own cancellation read back). */
  | 'unchanged'
  /** This version was applied before. */
  | 'duplicate'
  /** Not a referral of this partner, or one that will never be delivered to it: ignored. */
  | 'unknown_referral'
  /**
   * The partner holds the Task but the hub has not seen its delivery succeed yet (the answer was
   * lost and a retry is due, or it is `delivery_failed` awaiting a replay): read it again later.
   */
  | 'not_delivered_yet'
  /** The machine allows no way from the referral's status to the reported one: remembered, not applied. */
  | 'not_allowed';

const NOT_YET_ACCEPTED: readonly ReferralStatus[] = ['delivered', 'received'];
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** A partner stopping work on its side: a rejection before it accepted, a failure after. */
function withdrawnAs(referral: ReferralRow): ReferralStatus {
  const stood = standing(referral);
  return stood && NOT_YET_ACCEPTED.includes(stood) ? 'rejected' : 'failed';
}

/** The partner's clock, unless it is unreadable or ahead of ours (`now`, the hub's clock). */
function occurredAt(changedAt: string, now: Date): string | undefined {
  const t = Date.parse(changedAt);
  return Number.isFinite(t) && t <= now.getTime() + FUTURE_TOLERANCE_MS ? new Date(Math.min(t, now.getTime())).toISOString() : undefined;
}

/** True when the referral's last engagement event already says what `e` says (the same fact, read again on a later version). */
async function alreadyRecorded(tx: Sql, referralId: string, e: EngagementReport): Promise<boolean> {
  const last = await lastEngagementEvent(tx, referralId);
  if (!last || last.type !== e.type) return false;
  return e.type !== 'intake_scheduled' || last.appointmentAt === e.appointmentAt;
}

/**
 * Where on `path` an engagement event fits: after the last step that leaves the referral in a
 * state allowing engagement events (accepted, in progress, on hold), so "completed, attended"
 * is recorded as `accepted, attended, completed`. `undefined` when no step allows it.
 */
function engagementSlot(state: WorkflowState, path: readonly PostableEvent[]): number | undefined {
  let slot = ENGAGEMENT_STATES.includes(state.status) ? 0 : undefined;
  let s = state;
  for (const [i, event] of path.entries()) {
    const after = step(s, event);
    if (!after) break;
    s = after;
    if (ENGAGEMENT_STATES.includes(s.status)) slot = i + 1;
  }
  return slot;
}

export async function applyStatusReport(hub: Hub, partner: OrganizationRow, report: PartnerStatusReport): Promise<{ outcome: ReportOutcome; events: string[] }> {
  return transaction(hub.sql, async (tx) => {
    // The referral row lock orders this against API events and other polls of the same referral.
    const referral = await unscoped.referral(tx, report.referralId, { forUpdate: true });
    if (!referral || referral.partnerId !== partner.id) return { outcome: 'unknown_referral' as const, events: [] };
    if (!referral.deliveredAt) {
      // Only a delivery that is still being retried holds the cursor: a delivery_failed referral may
      // wait for a replay indefinitely, and must not stall the partner's other Tasks behind it.
      const limbo = referral.status === 'queued';
      return { outcome: limbo ? ('not_delivered_yet' as const) : ('unknown_referral' as const), events: [] };
    }
    if ((await appliedTaskVersion(tx, referral.id)) === report.version) return { outcome: 'duplicate' as const, events: [] };

    const target = report.status === 'withdrawn' ? withdrawnAs(referral) : report.status;
    const path = target ? eventsToReach(referral, target, PARTNER_EVENTS) : [];
    const actor = { organizationId: partner.id, clientId: `fhir-sync:${partner.id}` };
    const applied: string[] = [];
    // An engagement fact (intake scheduled, attended, no-show) is recorded once, where the machine allows it.
    const engagement = report.engagement && !(await alreadyRecorded(tx, referral.id, report.engagement)) ? report.engagement : undefined;
    const steps = path ?? [];
    const slot = engagement ? engagementSlot(referral, steps) : undefined;
    let current = referral;
    for (let i = 0; i <= steps.length; i++) {
      if (engagement && slot === i) {
        const { type, appointmentAt } = engagement;
        await applyEvent(hub, tx, current, actor, { type, occurredAt: occurredAt(report.changedAt, hub.clock.now()), ...(appointmentAt ? { appointmentAt } : {}) }, PARTNER_EVENTS);
        applied.push(type);
        current = (await unscoped.referral(tx, referral.id))!;
      }
      const type = steps[i];
      if (!type) break;
      const last = i === steps.length - 1;
      const reason = last ? (report.reason ?? (type === 'rejected' ? 'rejected on the partner’s FHIR server (no reason given)' : undefined)) : undefined;
      await applyEvent(hub, tx, current, actor, { type, occurredAt: occurredAt(report.changedAt, hub.clock.now()), ...(reason ? { reason: reason.slice(0, 2000) } : {}) }, PARTNER_EVENTS);
      applied.push(type);
      current = (await unscoped.referral(tx, referral.id))!;
    }
    await rememberTaskVersion(tx, {
      referralId: referral.id, partnerId: partner.id, taskId: report.recordId, version: report.version, status: report.source, changedAt: report.changedAt,
    });
    const outcome: ReportOutcome = applied.length > 0 ? 'applied' : !path ? 'not_allowed' : 'unchanged';
    return { outcome, events: applied };
  });
}
