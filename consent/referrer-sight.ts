import type { CaseNote } from '../schemas/case-file.js';
import type { DataCategory, ReferralStatus } from '../schemas/vocabulary.js';
import { categoryBit } from './evaluate.js';
import type { Decision } from './types.js';

/** One timeline event as stored, decrypted: what a partner (or the hub, or the referrer) reported. */
export interface ReportedEvent {
  id: string;
  type: string;
  occurredAt: string;
  byOrgId: string | null;
  reason: string | null;
  appointmentAt: string | null;
  note: CaseNote | null;
  statusAfter: ReferralStatus;
}

export type TimelineItem =
  | { id: string; type: 'withheld'; occurredAt: string }
  | { id: string; type: string; occurredAt: string; by?: string; reason?: string; appointmentAt?: string; note?: CaseNote; noteWithheld?: true };

/** What the referring organisation may see of a referral's life after it left. */
export interface ReferrerSight {
  items: TimelineItem[];
  /** Events shown only as `withheld` (a Part 2 program's reports without a § 2.35 basis). */
  withheldEvents: number;
  /** Notes shown without their text. */
  withheldNotes: number;
  /** The status the referrer may see: the program's own reports do not move it when withheld. */
  status: ReferralStatus;
  /** What showing the whole timeline discloses (notes' categories, Part 2 reports), for the accounting. */
  timelineDisclosure: { categories: DataCategory[]; basisIds: string[] };
  /** What showing only the status discloses (a Part 2 program's reported status is substance-use information). */
  statusDisclosure: { categories: DataCategory[]; basisIds: string[] };
}

export interface PartnerRef {
  id: string;
  part2Program: boolean;
}

/** Whether anything in `events` depends on a reverse decision: the caller may skip deciding otherwise. */
export function needsReverseDecision(events: readonly ReportedEvent[], partner: PartnerRef): boolean {
  return events.some((e) => e.byOrgId === partner.id && (partner.part2Program || e.note !== null));
}

/**
 * The reverse direction, the one rule for every channel that tells the referring organisation
 * about a referral (timeline, referral reads and lists, their status filter, 409s, SLA notices).
 * `decision` is the consent decision with the referrer as recipient and the partner as `source`,
 * for the referral's purpose; `null` means none was taken, which permits nothing.
 *
 * - A 42 CFR Part 2 program's reports are themselves substance-use information: each reaches the
 *   referrer only under a basis permitting `substance_use` from that program (§ 2.35); otherwise
 *   it appears as `withheld`, and the status stays at the last one the referrer may see.
 * - Any other partner's status changes, rejection reasons and appointment times are about the
 *   referral the participant consented to, and stay visible.
 * - A note a partner reports is free text of its category: it reaches the referrer only under a
 *   basis permitting that category from that partner (HIPAA needs the participant's authorization
 *   for a provider's progress note to probation); otherwise the entry shows `noteWithheld`.
 * - Notes of the referrer's own events are its own words and need no decision.
 */
export function referrerSight(events: readonly ReportedEvent[], current: ReferralStatus, partner: PartnerRef, decision: Decision | null): ReferrerSight {
  let allowed = 0;
  if (decision) {
    for (const c of decision.permitted) allowed |= categoryBit(c);
    for (const d of decision.denied) allowed &= ~categoryBit(d.category);
  }
  const permits = (category: DataCategory) => (allowed & categoryBit(category)) !== 0;
  const mayShowPart2 = permits('substance_use');

  const items: TimelineItem[] = [];
  const shownNotes = new Set<DataCategory>();
  let part2Shown = false;
  let withheldEvents = 0;
  let withheldNotes = 0;
  let lastVisibleStatus: ReferralStatus | undefined;
  for (const e of events) {
    const fromPartner = e.byOrgId === partner.id;
    if (fromPartner && partner.part2Program) {
      if (!mayShowPart2) {
        withheldEvents += 1;
        items.push({ id: e.id, type: 'withheld', occurredAt: e.occurredAt });
        continue;
      }
      part2Shown = true;
    }
    lastVisibleStatus = e.statusAfter;
    const item: TimelineItem = {
      id: e.id,
      type: e.type,
      occurredAt: e.occurredAt,
      ...(e.byOrgId ? { by: e.byOrgId } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.appointmentAt ? { appointmentAt: e.appointmentAt } : {}),
    };
    if (e.note) {
      if (!fromPartner || permits(e.note.category)) {
        item.note = { category: e.note.category, text: e.note.text };
        if (fromPartner) shownNotes.add(e.note.category);
      } else {
        item.noteWithheld = true;
        withheldNotes += 1;
      }
    }
    items.push(item);
  }

  const disclosure = (categories: Set<DataCategory>) => {
    const list = [...categories].sort();
    const ids = new Set<string>();
    for (const c of list) for (const id of decision?.bases[c] ?? []) ids.add(id);
    return { categories: list, basisIds: [...ids].sort() };
  };
  const statusCategories = new Set<DataCategory>(part2Shown ? ['substance_use'] : []);
  return {
    items,
    withheldEvents,
    withheldNotes,
    status: withheldEvents > 0 ? (lastVisibleStatus ?? 'delivered') : current,
    timelineDisclosure: disclosure(new Set([...statusCategories, ...shownNotes])),
    statusDisclosure: disclosure(statusCategories),
  };
}
