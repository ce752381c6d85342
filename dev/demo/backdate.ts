import type { Sql } from '../../db/connect.js';
import { MILESTONES, reachedMilestones, type Milestone } from '../../domain/indicator-milestones.js';
import { Random } from './random.js';

/**
 * `--backdate`: spreads the demo's referrals over the past year. The API has no way to set when
 * the hub recorded something, and must not: the hub's own stamps are its evidence (SLA timers and
 * the indicators are judged on them). So the demo seeds everything through the API, today, and
 * then this dev-only step moves the hub's stamps of the demo's referrals (and only those, found
 * by the participants' `DEMO-` ids) to a plausible past: created some day of the last twelve
 * months, delivered minutes later, acknowledged within hours (sometimes days, past the SLA),
 * intake a few days on, completed weeks later. Each referral's times come from its id, so running
 * it again gives the same times.
 *
 * What it leaves alone, on purpose: the accounting of disclosures and the audit log, which are
 * append-only and say when data really moved (today); consents, whose periods were already
 * recorded in the past through the API. The hub's SLA sweep then finds the breaches in the moved
 * history by itself, within a few seconds, and stamps each with the time it found it.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** How long after the previous event each kind of event comes, as [shortest, longest] in ms. */
const GAPS: Readonly<Record<string, readonly [number, number]>> = {
  created: [0, 0],
  awaiting_consent: [0, 0],
  queued: [MINUTE, 10 * MINUTE],
  delivered: [MINUTE, 10 * MINUTE],
  delivery_failed: [10 * MINUTE, 2 * HOUR],
  received: [HOUR, 20 * HOUR],
  accepted: [2 * HOUR, 48 * HOUR],
  rejected: [4 * HOUR, 72 * HOUR],
  intake_scheduled: [12 * HOUR, 5 * DAY],
  attended: [0, HOUR],
  no_show: [0, HOUR],
  in_progress: [HOUR, 2 * DAY],
  progress_note: [7 * DAY, 21 * DAY],
  on_hold: [10 * DAY, 30 * DAY],
  completed: [30 * DAY, 100 * DAY],
  failed: [14 * DAY, 50 * DAY],
  cancelled: [DAY, 10 * DAY],
  sla_breached: [HOUR, 2 * DAY],
};

interface EventRow { id: string; referral_id: string; type: string; status_after: string; appointment: boolean }

export interface BackdateResult {
  referrals: number;
  events: number;
}

/** New times for one referral's events (in timeline order), and its creation. */
export function layOut(referralId: string, status: string, types: string[], now: number): { createdAt: number; times: number[]; appointments: (number | null)[] } {
  const rnd = new Random(`backdate-${referralId}`);
  const between = ([lo, hi]: readonly [number, number]) => lo + rnd.next() * (hi - lo);
  const offsets: number[] = [];
  const appointments: (number | null)[] = [];
  let t = 0;
  let appointment: number | null = null;
  for (const type of types) {
    // Most partners acknowledge within the day; some take days, past a 48-hour SLA.
    const gap = type === 'received' && rnd.chance(0.15) ? ([50 * HOUR, 120 * HOUR] as const) : (GAPS[type] ?? [MINUTE, HOUR]);
    t += between(gap);
    // Attendance (or not) is on the day of the appointment.
    if ((type === 'attended' || type === 'no_show') && appointment !== null) t = Math.max(t, appointment);
    offsets.push(t);
    if (type === 'intake_scheduled') appointment = t + between([2 * DAY, 10 * DAY]);
    appointments.push(type === 'intake_scheduled' ? appointment : null);
  }
  const span = t + HOUR;
  // Still waiting for a consent: sent recently, after the consent it had lapsed.
  const age = status === 'awaiting_consent' ? between([HOUR, 15 * DAY]) : span >= YEAR ? span : span + rnd.next() * (YEAR - span);
  const createdAt = now - age;
  return { createdAt, times: offsets.map((o) => createdAt + o), appointments: appointments.map((a) => (a === null ? null : createdAt + a)) };
}

export async function backdate(sql: Sql, referrerOrgIds: string[], now = Date.now()): Promise<BackdateResult> {
  const referrals = await sql<{ id: string; status: string; delivered: boolean }[]>`
    SELECT r.id, r.status, r.delivered_at IS NOT NULL AS delivered FROM referrals r JOIN participants p ON p.id = r.participant_id
    WHERE r.referrer_org_id = ANY(${referrerOrgIds}) AND p.external_id LIKE 'DEMO-%'`;
  const ids = referrals.map((r) => r.id);
  const events = await sql<EventRow[]>`SELECT id, referral_id, type, status_after, appointment_at IS NOT NULL AS appointment FROM referral_events
    WHERE referral_id = ANY(${ids}) ORDER BY referral_id, seq`;
  const byReferral = new Map<string, EventRow[]>();
  for (const e of events) byReferral.set(e.referral_id, [...(byReferral.get(e.referral_id) ?? []), e]);

  // As ISO text: postgres.js sends text arrays as they are, and the casts below read them.
  const iso = (ms: number) => new Date(ms).toISOString();
  const ref = { id: [] as string[], created: [] as string[], delivered: [] as (string | null)[], updated: [] as string[] };
  const evt = { id: [] as string[], at: [] as string[], appointment: [] as (string | null)[] };
  // The milestones the report counts move with the events that reached them (the same rule as recording one).
  const reached = Object.fromEntries(MILESTONES.map((m) => [m, [] as (string | null)[]])) as Record<Milestone, (string | null)[]>;
  for (const r of referrals) {
    const own = byReferral.get(r.id) ?? [];
    const { createdAt, times, appointments } = layOut(r.id, r.status, own.map((e) => e.type), now);
    const deliveredIndex = own.findIndex((e) => e.type === 'delivered');
    ref.id.push(r.id);
    ref.created.push(iso(createdAt));
    ref.delivered.push(r.delivered ? iso(deliveredIndex >= 0 ? times[deliveredIndex]! : createdAt + MINUTE) : null);
    ref.updated.push(iso(times.at(-1) ?? createdAt));
    const first = new Map<Milestone, string>();
    own.forEach((e, i) => {
      evt.id.push(e.id);
      evt.at.push(iso(times[i]!));
      evt.appointment.push(e.appointment ? iso(appointments[i] ?? times[i]! + 3 * DAY) : null);
      for (const m of reachedMilestones(e.type, e.status_after)) if (!first.has(m)) first.set(m, iso(times[i]!));
    });
    for (const m of MILESTONES) reached[m].push(first.get(m) ?? null);
  }

  await sql.begin(async (tx) => {
    const CHUNK = 5000;
    for (let i = 0; i < ref.id.length; i += CHUNK) {
      const s = <T>(a: T[]) => a.slice(i, i + CHUNK) as string[];
      const m = (name: Milestone) => s(reached[name]);
      await tx`UPDATE referrals r SET created_at = v.created, delivered_at = v.delivered, updated_at = v.updated,
          acknowledged_at = v.acknowledged, first_contact_at = v.first_contact, connected_at = v.connected,
          completed_at = v.completed, rejected_at = v.rejected, sla_breached_at = v.sla_breached
        FROM unnest(${s(ref.id)}::text[], ${s(ref.created)}::timestamptz[], ${s(ref.delivered)}::timestamptz[], ${s(ref.updated)}::timestamptz[],
          ${m('acknowledged')}::timestamptz[], ${m('first_contact')}::timestamptz[], ${m('connected')}::timestamptz[],
          ${m('completed')}::timestamptz[], ${m('rejected')}::timestamptz[], ${m('sla_breached')}::timestamptz[])
          AS v(id, created, delivered, updated, acknowledged, first_contact, connected, completed, rejected, sla_breached)
        WHERE r.id = v.id`;
    }
    for (let i = 0; i < evt.id.length; i += CHUNK) {
      const s = <T>(a: T[]) => a.slice(i, i + CHUNK) as string[];
      await tx`UPDATE referral_events e SET occurred_at = v.at, created_at = v.at, appointment_at = v.appointment
        FROM unnest(${s(evt.id)}::text[], ${s(evt.at)}::timestamptz[], ${s(evt.appointment)}::timestamptz[]) AS v(id, at, appointment)
        WHERE e.id = v.id`;
    }
    // Enrolled a little before their first referral.
    await tx`UPDATE participants p SET created_at = f.first - make_interval(days => 1 + abs(hashtext(p.id)) % 20)
      FROM (SELECT participant_id, min(created_at) AS first FROM referrals WHERE id = ANY(${ids}) GROUP BY participant_id) f
      WHERE p.id = f.participant_id`;
  });
  return { referrals: ref.id.length, events: evt.id.length };
}
