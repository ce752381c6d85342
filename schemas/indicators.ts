import { z } from '@hono/zod-openapi';
import { Id, Timestamp } from './common.js';
import { Service } from './vocabulary.js';

/** Targets and the indicators report (the manager's and compliance officer's aggregate view). */

/** The vocabulary of the report (public contract: add, never rename); domain/ gives it meaning. */
export const GROUP_BYS = ['none', 'race', 'gender', 'age_band', 'partner'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
export const RACE_METHOD = 'alone_or_in_combination';
export const COUNT_FIELDS = ['referred', 'connected', 'completed', 'rejected', 'slaBreaches'] as const;
/** Counts from 1 to this are withheld. */
export const SUPPRESSION_THRESHOLD = 10;

const Day = z.iso.date().refine((d) => !d.startsWith('0000'), 'there is no year 0');

const Period = z
  .strictObject({
    start: Day.openapi({ description: 'The first day of the period, `YYYY-MM-DD`.', example: '2026-01-01' }),
    end: Day.openapi({ description: 'The day after the period’s last day, `YYYY-MM-DD`: periods are half-open, `[start, end)`, like a report’s `from` and `to`.', example: '2027-01-01' }),
  })
  .refine((p) => p.end > p.start, { message: 'the period must end after it starts', path: ['end'] })
  .openapi('TargetPeriod', { description: 'The days a target is for, `[start, end)`.' });

const Amount = z.number().finite().nonnegative().max(1e12);

export const TargetInput = z
  .strictObject({
    service: Service,
    period: Period,
    baseline: Amount.openapi({ description: 'People connected to the service in a comparable earlier period: the starting point.', example: 1650 }),
    target: Amount.openapi({ description: 'People to connect to the service in the period. `progress` in the report is `connected ÷ target`.', example: 2058 }),
  })
  .openapi('TargetInput', { description: 'A baseline and a target of people connected to a service in a period.' });
export type TargetInput = z.infer<typeof TargetInput>;

export const Target = TargetInput.safeExtend({
  id: Id.openapi({ description: 'The target’s id (`tgt_…`).', example: 'tgt_Housing202600000000001' }),
  createdAt: Timestamp.openapi({ description: 'When the target was set.' }),
}).openapi('Target', { description: 'A target, as set.' });
export type Target = z.infer<typeof Target>;

export const TargetQuery = z.object({
  service: Service.optional().openapi({ param: { name: 'service', in: 'query', description: 'Only the targets of this service.' } }),
});

/** A report's bounds: a day (midnight UTC) or an instant. */
const Bound = z.union([Day, Timestamp]);

export const IndicatorsQuery = z
  .object({
    from: Bound.openapi({ param: { name: 'from', in: 'query', description: 'The report counts referrals created at or after this day (`YYYY-MM-DD`, midnight UTC) or instant (RFC 3339).', example: '2026-01-01' } }),
    to: Bound.openapi({ param: { name: 'to', in: 'query', description: 'And before this day or instant: the range is `[from, to)`.', example: '2026-04-01' } }),
    groupBy: z.enum(GROUP_BYS).default('none').openapi({
      param: { name: 'groupBy', in: 'query', description: '`none` (one row per service), `race`, `gender`, `age_band` (age at referral) or `partner`.' },
      example: 'race',
    }),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: '`to` must be after `from`', path: ['to'] });
export type IndicatorsQuery = z.infer<typeof IndicatorsQuery>;

const count = (what: string) => z.number().int().nonnegative().nullable().openapi({ description: `${what} \`null\` when withheld (see \`suppressed\`).` });
const median = (what: string) => z.number().nonnegative().nullable().openapi({ description: `${what} \`null\` when fewer than ${SUPPRESSION_THRESHOLD + 1} people contribute, or none does.` });

export const IndicatorRow = z
  .object({
    service: Service,
    group: z.string().openapi({
      description: '`all` when not grouped; otherwise a race code, `multiracial` or `undisclosed`; a gender code or `undisclosed`; an age band (`under_18`, `18_24`, `25_34`, `35_44`, `45_54`, `55_64`, `65_plus`); or a partner organisation’s id.',
      example: 'black_or_african_american',
    }),
    referred: count('Unique participants with a referral for the service created in `[from, to)`.'),
    connected: count('Of them, those whose referral reached `in_progress` or `completed`.'),
    completed: count('Of them, those whose referral reached `completed`.'),
    rejected: count('Of them, those whose referral the partner rejected.'),
    slaBreaches: count('Of them, those whose referral breached one of its partner’s service-level timers.'),
    medianHoursToAcknowledge: median('Median hours from delivery to the partner’s first acknowledgement (received, accepted or rejected), over those referrals.'),
    medianDaysToFirstContact: median('Median days from delivery to the first intake scheduled or attended, over those referrals.'),
    baseline: z.number().optional().openapi({ description: 'On ungrouped rows with a target whose period covers `from`: the target’s baseline.' }),
    target: z.number().optional().openapi({ description: 'On ungrouped rows with a target whose period covers `from`: the target.' }),
    progress: z.number().nullable().optional().openapi({ description: '`connected ÷ target`, with the target; `null` when `connected` is withheld or the target is 0.' }),
    suppressed: z.array(z.enum([...COUNT_FIELDS, 'progress'])).openapi({ description: 'The fields withheld in this row to protect small counts.' }),
  })
  .openapi('IndicatorRow', { description: 'One service and group. Counts are of people, never of referrals.' });
export type IndicatorRow = z.infer<typeof IndicatorRow>;

export const IndicatorsReport = z
  .object({
    from: Timestamp.openapi({ description: 'The start of the range, as an instant.' }),
    to: Timestamp.openapi({ description: 'The end of the range (not included).' }),
    groupBy: z.enum(GROUP_BYS).openapi({ description: 'The grouping asked for.' }),
    method: z.literal(RACE_METHOD).optional().openapi({ description: 'When grouped by race: `alone_or_in_combination` (a participant counts in every category selected, and in `multiracial` when more than one), so race groups add up to more than the total.' }),
    suppression: z
      .object({
        threshold: z.literal(SUPPRESSION_THRESHOLD).openapi({ description: 'Counts from 1 to this are withheld.' }),
        rule: z.string().openapi({ description: 'The rule, in words.' }),
      })
      .openapi({ description: 'How small counts are protected.' }),
    rows: z.array(IndicatorRow).openapi({ description: 'One row per service and group, services in the vocabulary’s order.' }),
  })
  .openapi('IndicatorsReport', { description: 'Outcome indicators: aggregate counts of people, safe to publish. No participant id, name or birth date.' });
export type IndicatorsReport = z.infer<typeof IndicatorsReport>;
