import { z } from '@hono/zod-openapi';
import { CaseFile, CaseNote } from './case-file.js';
import { Id, ListQuery, Timestamp } from './common.js';
import { PART2_NOTICE_CODE, POSTABLE_EVENTS, Purpose, ReferralStatus, Service } from './vocabulary.js';

export const Priority = z.enum(['routine', 'urgent']).openapi({ description: '`urgent` asks the partner to act first on it; delivery is the same.' });

export const ReferralInput = z
  .strictObject({
    participantId: Id.openapi({ description: 'The participant referred, enrolled by the planner’s organisation.', example: 'par_JordanRivera0000000001' }),
    partnerId: Id.openapi({ description: 'The organisation referred to.', example: 'org_EastsideHousing0000001' }),
    service: Service,
    purpose: Purpose,
    priority: Priority.default('routine'),
    reason: z.string().min(1).max(5000).openapi({ description: 'Why the participant is referred, in words (stored encrypted). Free text about the participant: the partner sees it only while consent permits it `identity`.', example: 'Needs stable housing before release review' }),
    caseFile: CaseFile,
  })
  .openapi('ReferralInput', { description: 'A referral, with the whole case file: the hub decides what of it the partner may see.' });
export type ReferralInput = z.infer<typeof ReferralInput>;

export const ReferralCreated = z
  .object({
    id: Id.openapi({ description: 'The referral’s id (`ref_…`).', example: 'ref_HousingReferral0000001' }),
    status: ReferralStatus,
    participantId: Id.openapi({ description: 'The participant referred.' }),
    partnerId: Id.openapi({ description: 'The organisation referred to.' }),
    service: Service,
    purpose: Purpose,
    priority: Priority,
    createdAt: Timestamp.openapi({ description: 'When the hub accepted the referral.' }),
  })
  .openapi('ReferralCreated', { description: 'The referral as accepted, without its case file.' });

/** The referring organisation's view. */
export const ReferralForReferrer = ReferralCreated.extend({
  reason: z.string().openapi({ description: 'Why the participant was referred, as sent.' }),
  updatedAt: Timestamp.openapi({ description: 'When the status last changed.' }),
  deliveredAt: Timestamp.nullable().openapi({ description: 'When the partner first had the referral (for a FHIR partner: its server held the Task); `null` before that.' }),
  lastError: z.string().nullable().openapi({ description: 'Why the last delivery attempt failed, if it did.' }),
  withheldEvents: z.number().int().openapi({ description: 'How many timeline events the referring organisation may not see (a Part 2 program’s reports without a basis that permits them).' }),
  caseFile: CaseFile,
}).openapi('ReferralForReferrer', { description: 'The referring organisation’s view: the referral as sent, and where it stands.' });

/** The partner's view: only what consent permits at the time of the read. */
export const PartnerReferralView = z
  .object({
    id: Id.openapi({ description: 'The referral’s id.' }),
    status: ReferralStatus,
    service: Service,
    purpose: Purpose,
    priority: Priority,
    reason: z.string().optional().openapi({
      description:
        'Free text about the participant, written by the referrer. Present only while consent lets this partner see the participant’s `identity`; otherwise absent and counted in `withheld`.',
    }),
    createdAt: Timestamp,
    caseFile: CaseFile.partial().openapi({ description: 'Only the sections, and the notes, of the categories consent permits the partner at the moment of the read; after a revocation, none.' }),
    withheld: z
      .object({
        count: z.number().int().openapi({ description: 'How many sections and notes (and the reason, while the partner may not see `identity`) were left out. Never which: a category’s name can itself reveal a diagnosis.', example: 3 }),
        notice: z.string().openapi({ description: 'A fixed sentence for the partner when something was withheld; empty when nothing was.' }),
      })
      .openapi({ description: 'What consent kept from the partner, counted but never named.' }),
    notices: z
      .array(z.object({
        code: z.string().openapi({ description: `The rule that requires the notice: \`${PART2_NOTICE_CODE}\` for the Part 2 redisclosure notice.`, example: PART2_NOTICE_CODE }),
        text: z.string().openapi({ description: 'The notice, word for word, to keep with the data.' }),
      }))
      .openapi({ description: 'Notices that must travel with the data: the 42 CFR 2.32 redisclosure notice whenever substance-use data is included; empty otherwise.' }),
  })
  .openapi('PartnerReferral', { description: 'The partner’s view: only what consent permits at the time of the read. Every read is recorded as a disclosure.' });
export type PartnerReferralView = z.infer<typeof PartnerReferralView>;

export const ReferralView = z.union([ReferralForReferrer, PartnerReferralView]).openapi('Referral', { description: 'A referral as the caller may see it: the referrer’s view or the partner’s.' });

export const ReferralListQuery = ListQuery.extend({
  status: ReferralStatus.optional().openapi({ description: 'Only referrals in this status (the status the caller may see).' }),
  partnerId: Id.optional().openapi({ description: 'Only referrals to this partner.' }),
  participantId: Id.optional().openapi({ description: 'Only referrals of this participant.' }),
});
export type ReferralListQuery = z.infer<typeof ReferralListQuery>;

export const EventInput = z
  .strictObject({
    type: z.enum(POSTABLE_EVENTS).openapi({ description: 'What happened. The partner posts status and engagement events; the planner posts `cancelled`.' }),
    occurredAt: Timestamp.optional().openapi({ description: 'When it happened, if not now (at most 5 minutes ahead of the hub’s clock). Service-level timers count when the hub recorded it.' }),
    reason: z.string().min(1).max(2000).optional().openapi({ description: 'Why; required for `rejected`.' }),
    appointmentAt: Timestamp.optional().openapi({ description: 'The intake appointment; required for `intake_scheduled`.' }),
    note: CaseNote.optional().openapi({ description: 'A note for the planner, shown only under a basis that permits its category from this partner.' }),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'rejected' && !event.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejection needs a reason' });
    if (event.type === 'intake_scheduled' && !event.appointmentAt) {
      ctx.addIssue({ code: 'custom', path: ['appointmentAt'], message: 'intake_scheduled needs appointmentAt' });
    }
  })
  .openapi('EventInput', { description: 'An event on a referral.' });
export type EventInput = z.infer<typeof EventInput>;

export const EventCreated = z
  .object({
    id: Id.openapi({ description: 'The event’s id (`evt_…`).' }),
    type: z.string().openapi({ description: 'The event type, as posted.' }),
    occurredAt: Timestamp.openapi({ description: 'When it happened.' }),
    status: ReferralStatus,
  })
  .openapi('EventCreated', { description: 'The event as recorded; `status` is the referral’s status after it.' });

export const TimelineEntry = z
  .object({
    id: Id.openapi({ description: 'The event’s id.' }),
    type: z.string().openapi({
      description:
        'An event type of the state machine, a hub event (`created`, `queued`, `awaiting_consent`, `delivered`, `delivery_failed`, ' +
        '`sla_breached`: a partner missed a service-level timer, named with its deadline in `reason`), or `withheld`.',
    }),
    occurredAt: Timestamp.openapi({ description: 'When it happened.' }),
    by: z.string().optional().openapi({ description: 'The organisation that reported it; absent for the hub’s own events.' }),
    reason: z.string().optional().openapi({ description: 'Why, when the event came with a reason (a rejection, a cancellation, a breached timer).' }),
    appointmentAt: Timestamp.optional(),
    note: CaseNote.optional(),
    noteWithheld: z.literal(true).optional().openapi({
      description: 'The partner reported a note that no basis lets the referring organisation see (its category from that partner, for this purpose): the entry is shown without it.',
    }),
  })
  .openapi('TimelineEntry', { description: 'One event on the timeline, as the referring organisation may see it.' });

export const Timeline = z.object({ items: z.array(TimelineEntry).openapi({ description: 'The events, oldest first.' }) }).openapi('Timeline', { description: 'A referral’s timeline.' });
