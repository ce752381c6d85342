import { z } from '@hono/zod-openapi';
import { POSTABLE_EVENTS } from '../domain/referral-workflow.js';
import { CaseFile, CaseNote } from './case-file.js';
import { Id, ListQuery, Timestamp } from './common.js';
import { Purpose, ReferralStatus, Service } from './vocabulary.js';

export const Priority = z.enum(['routine', 'urgent']);

export const ReferralInput = z
  .strictObject({
    participantId: Id,
    partnerId: Id,
    service: Service,
    purpose: Purpose,
    priority: Priority.default('routine'),
    reason: z.string().min(1).max(5000),
    caseFile: CaseFile,
  })
  .openapi('ReferralInput');
export type ReferralInput = z.infer<typeof ReferralInput>;

export const ReferralCreated = z
  .object({ id: Id, status: ReferralStatus, participantId: Id, partnerId: Id, service: Service, purpose: Purpose, priority: Priority, createdAt: Timestamp })
  .openapi('ReferralCreated');

/** The referring organisation's view. */
export const ReferralForReferrer = ReferralCreated.extend({
  reason: z.string(),
  updatedAt: Timestamp,
  deliveredAt: Timestamp.nullable(),
  lastError: z.string().nullable().openapi({ description: 'Why the last delivery attempt failed, if it did.' }),
  withheldEvents: z.number().int(),
  caseFile: CaseFile,
}).openapi('ReferralForReferrer');

/** The partner's view: only what consent permits at the time of the read. */
export const PartnerReferralView = z
  .object({
    id: Id,
    status: ReferralStatus,
    service: Service,
    purpose: Purpose,
    priority: Priority,
    reason: z.string().optional().openapi({
      description:
        'Free text about the participant, written by the referrer. Present only while consent lets this partner see the participant’s `identity`; otherwise absent and counted in `withheld`.',
    }),
    createdAt: Timestamp,
    caseFile: CaseFile.partial(),
    withheld: z.object({ count: z.number().int(), notice: z.string() }),
    notices: z.array(z.object({ code: z.string(), text: z.string() })),
  })
  .openapi('PartnerReferral');
export type PartnerReferralView = z.infer<typeof PartnerReferralView>;

export const ReferralView = z.union([ReferralForReferrer, PartnerReferralView]).openapi('Referral');

export const ReferralListQuery = ListQuery.extend({
  status: ReferralStatus.optional(),
  partnerId: Id.optional(),
  participantId: Id.optional(),
});

export const EventInput = z
  .strictObject({
    type: z.enum(POSTABLE_EVENTS),
    occurredAt: Timestamp.optional(),
    reason: z.string().min(1).max(2000).optional(),
    appointmentAt: Timestamp.optional(),
    note: CaseNote.optional(),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'rejected' && !event.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejection needs a reason' });
    if (event.type === 'intake_scheduled' && !event.appointmentAt) {
      ctx.addIssue({ code: 'custom', path: ['appointmentAt'], message: 'intake_scheduled needs appointmentAt' });
    }
  })
  .openapi('EventInput');
export type EventInput = z.infer<typeof EventInput>;

export const EventCreated = z.object({ id: Id, type: z.string(), occurredAt: Timestamp, status: ReferralStatus }).openapi('EventCreated');

export const TimelineEntry = z
  .object({
    id: Id,
    type: z.string().openapi({
      description:
        'An event type of the state machine, a hub event (`created`, `queued`, `awaiting_consent`, `delivered`, `delivery_failed`, ' +
        '`sla_breached`: a partner missed a service-level timer, named with its deadline in `reason`), or `withheld`.',
    }),
    occurredAt: Timestamp,
    by: z.string().optional().openapi({ description: 'The organisation that reported it; absent for the hub’s own events.' }),
    reason: z.string().optional(),
    appointmentAt: Timestamp.optional(),
    note: CaseNote.optional(),
    noteWithheld: z.literal(true).optional().openapi({
      description: 'The partner reported a note that no basis lets the referring organisation see (its category from that partner, for this purpose): the entry is shown without it.',
    }),
  })
  .openapi('TimelineEntry');

export const Timeline = z.object({ items: z.array(TimelineEntry) }).openapi('Timeline');
