import type { Sql } from 'postgres';
import { reachedMilestones, type Milestone } from '../../domain/indicator-milestones.js';
import type { World } from './world.js';

/**
 * Grows the hub's database with set-based SQL (INSERT … SELECT over generate_series, 50,000 rows a
 * statement), far faster than the API and shaped like real rows: every bulk row is a copy of one
 * the API wrote during setup (the template participant, its consent, the template referral with
 * its encrypted case-file entries, timeline events, done outbox row, delivery disclosure and audit
 * entry), under new ids. Each bulk participant has its own consent, so decisions do real work, and
 * bulk referrals are delivered to the inbox partner, so partner reads work on any of them.
 *
 * Encrypted columns are the template's ciphertexts, one per shape, reused on every copy. That is
 * honest for what the bench measures: the hub decrypts a copy exactly as it would an original
 * (same key, same size, same AES-GCM work); what reuse changes is only that the plaintexts repeat,
 * which no read path looks at. Encrypting a million case files one by one would make seeding take
 * longer than the measurements.
 *
 * What the indicators report counts is varied, deterministically from the row number: bulk
 * participants get race and gender codes from a mix (the report's plain columns; their encrypted
 * record stays the template's), adult birth dates over sixty years; bulk referrals are spread over
 * the past year, and nine in ten go on past delivery (OUTCOMES: acknowledged, accepted, first
 * contact, in progress, completed, rejected, on hold), each step a timeline event hours to weeks
 * after delivery, with the referral's status and its milestone columns (migration 021) as the hub
 * itself would have left them.
 */
export interface Size {
  participants: number;
  referrals: number;
}

const CHUNK = 50_000;
const participantId = (n: string) => `'par_' || substr(md5('bench-par-' || ${n}), 1, 22)`;

/** Race selections (SPD 15, several allowed; none is undisclosed) and gender codes, dealt out by participant number. */
const RACE_MIX = ['{white}', '{black_or_african_american}', '{hispanic_or_latino}', '{white}', '{asian}', '{hispanic_or_latino,white}', '{}',
  '{american_indian_or_alaska_native}', '{black_or_african_american}', '{middle_eastern_or_north_african}', '{native_hawaiian_or_pacific_islander}', '{black_or_african_american,white}'];
const GENDER_MIX = ['female', 'male', 'male', 'female', 'nonbinary', 'other', null];

/**
 * What happens after delivery, by referral number mod 10: each step a partner event (type, the
 * status after it, hours after delivery; the hours are multiplied by 1 to 5 per referral, so
 * medians are not one value). Steps follow the state machine (domain/referral-workflow.ts).
 */
const OUTCOMES: [number, [string, string, number][]][] = [
  [0, []],
  [1, []],
  [2, [['received', 'received', 2]]],
  [3, [['received', 'received', 1], ['rejected', 'rejected', 5]]],
  [4, [['received', 'received', 1], ['accepted', 'accepted', 3]]],
  [5, [['accepted', 'accepted', 4], ['intake_scheduled', 'accepted', 30], ['in_progress', 'in_progress', 100]]],
  [6, [['received', 'received', 2], ['accepted', 'accepted', 6], ['intake_scheduled', 'accepted', 50], ['in_progress', 'in_progress', 120], ['completed', 'completed', 900]]],
  [7, [['received', 'received', 3], ['accepted', 'accepted', 8], ['attended', 'accepted', 70], ['completed', 'completed', 1500]]],
  [8, [['received', 'received', 1], ['accepted', 'accepted', 2], ['in_progress', 'in_progress', 48], ['on_hold', 'on_hold', 300]]],
  [9, [['received', 'received', 12], ['accepted', 'accepted', 20], ['in_progress', 'in_progress', 40], ['attended', 'in_progress', 200]]],
];
const outcomeRows = OUTCOMES.flatMap(([k, steps]) => steps.map(([type, status, hours], i) => `(${k}, ${i}, '${type}', '${status}', ${hours})`)).join(', ');
const OUTCOME_CTE = `o(k, step, type, status_after, hours) AS (VALUES ${outcomeRows})`;
/**
 * Each outcome's last status and its milestones (hours after delivery, before the multiplier), by
 * the rule of domain/indicator-milestones.ts over its steps: what the hub would have set as it
 * recorded those events.
 */
/** The milestones the outcomes reach (no SLA timers on the inbox partner, so no breach), in the order of the referrals INSERT's columns. */
const SEEDED_MILESTONES: Milestone[] = ['acknowledged', 'first_contact', 'connected', 'completed', 'rejected'];
const MILESTONE_CTE = `m(k, last_status, acknowledged, first_contact, connected, completed, rejected) AS (VALUES ${OUTCOMES.map(([k, steps]) => {
  const first = (reached: (type: string, status: string) => boolean) => steps.find(([type, status]) => reached(type, status))?.[2] ?? null;
  const milestones = SEEDED_MILESTONES.map((name) => first((type, status) => reachedMilestones(type, status).includes(name)));
  return `(${k}, ${steps.length ? `'${steps.at(-1)![1]}'` : 'NULL'}, ${milestones.map((h) => (h === null ? 'NULL::int' : h)).join(', ')})`;
}).join(', ')})`;
/** Per referral: its place in the past year (minutes back from the template), and its hours multiplier. */
const SPREAD = `CROSS JOIN LATERAL (SELECT make_interval(mins => ((n::bigint * 7919) % 525600)::int) AS back, 1 + n % 5 AS f) s`;

export async function seededSize(sql: Sql, world: World): Promise<Size> {
  const [row] = await sql<{ participants: number; referrals: number }[]>`SELECT
    (SELECT count(*)::int FROM participants WHERE organization_id = ${world.referrerId}) AS participants,
    (SELECT count(*)::int FROM referrals) AS referrals`;
  return row!;
}

const BULK = 'bench-bulk';

export async function growTo(sql: Sql, world: World, target: Size, log: (line: string) => void): Promise<void> {
  // Bulk participants carry external id 'bench-bulk' and are numbered 0..P-1 (id: md5 of the number).
  const countBulk = async () => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM participants WHERE external_id = ${BULK}`)[0]!.n;
  const start = await seededSize(sql, world);
  const [template] = await sql<{ participant_id: string }[]>`SELECT participant_id FROM referrals WHERE id = ${world.templateReferralId}`;
  const templateParticipant = template!.participant_id;

  const haveBulk = await countBulk();
  const apiMade = start.participants - haveBulk;
  const wantBulk = Math.max(haveBulk, target.participants - apiMade);
  for (let from = haveBulk; from < wantBulk; from += CHUNK) {
    const to = Math.min(wantBulk, from + CHUNK) - 1;
    await sql.unsafe(`
      INSERT INTO participants (id, organization_id, external_id, birth_date, record_jwe, race_codes, gender_code, report_codes_filled)
        SELECT ${participantId('n')}, p.organization_id, '${BULK}', date '1945-01-01' + (n * 37) % 21900, p.record_jwe,
          (${sqlArray(RACE_MIX)})[1 + n % ${RACE_MIX.length}]::text[], (${sqlArray(GENDER_MIX)})[1 + n % ${GENDER_MIX.length}], true
        FROM participants p, generate_series(${from}, ${to}) AS n WHERE p.id = $1`, [templateParticipant]);
    await sql.unsafe(`
      INSERT INTO consents (id, participant_id, basis, status, period_start, period_end, signatures, signer_names_jwe, document_ref, provision, created_by)
        SELECT 'con_' || substr(md5('bench-con-' || n), 1, 22), ${participantId('n')}, c.basis, c.status, c.period_start, c.period_end,
          c.signatures, c.signer_names_jwe, c.document_ref, c.provision, c.created_by
        FROM consents c, generate_series(${from}, ${to}) AS n WHERE c.participant_id = $1`, [templateParticipant]);
    log(`  participants ${to + 1 + apiMade}`);
  }
  const population = await countBulk();
  if (population === 0) throw new Error('no bulk participants to refer');

  for (let from = start.referrals; from < target.referrals; from += CHUNK) {
    const to = Math.min(target.referrals, from + CHUNK) - 1;
    const series = `generate_series(${from}, ${to}) AS n`;
    const ref = `'ref_' || substr(md5('bench-ref-' || n), 1, 22)`;
    const who = participantId(`(n % ${population})`);
    const params = [world.templateReferralId];
    await sql.begin(async (tx) => {
      // The referral as its last outcome step left it: status, and the milestones migration 021
      // keeps (by the rule of domain/indicator-milestones.ts, over the same steps as its events).
      await tx.unsafe(`WITH ${MILESTONE_CTE}
        INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, status_before_hold,
          delivered_at, created_by, created_at, updated_at, acknowledged_at, first_contact_at, connected_at, completed_at, rejected_at)
        SELECT ${ref}, ${who}, r.referrer_org_id, r.partner_id, r.service, r.purpose, r.priority, r.reason_jwe,
          coalesce(m.last_status, r.status), CASE WHEN m.last_status = 'on_hold' THEN 'in_progress' END,
          r.delivered_at - s.back, r.created_by, r.created_at - s.back, r.updated_at - s.back,
          r.delivered_at - s.back + m.acknowledged * s.f * interval '1 hour', r.delivered_at - s.back + m.first_contact * s.f * interval '1 hour',
          r.delivered_at - s.back + m.connected * s.f * interval '1 hour', r.delivered_at - s.back + m.completed * s.f * interval '1 hour',
          r.delivered_at - s.back + m.rejected * s.f * interval '1 hour'
        FROM referrals r CROSS JOIN ${series} ${SPREAD} JOIN m ON m.k = n % 10
        WHERE r.id = $1`, params);
      await tx.unsafe(`INSERT INTO case_file_entries (referral_id, ordinal, kind, category, content_jwe)
        SELECT ${ref}, e.ordinal, e.kind, e.category, e.content_jwe FROM case_file_entries e, ${series} WHERE e.referral_id = $1`, params);
      await tx.unsafe(`INSERT INTO referral_events (id, referral_id, type, occurred_at, by_org_id, by_client_id, status_after, created_at)
        SELECT 'evt_' || substr(md5('bench-evt-' || n || '-' || e.seq), 1, 22), ${ref}, e.type, e.occurred_at - s.back, e.by_org_id, e.by_client_id, e.status_after, e.created_at - s.back
        FROM referral_events e, ${series} ${SPREAD} WHERE e.referral_id = $1 ORDER BY n, e.seq`, params);
      await tx.unsafe(`WITH ${OUTCOME_CTE}
        INSERT INTO referral_events (id, referral_id, type, occurred_at, by_org_id, by_client_id, status_after, created_at)
        SELECT 'evt_' || substr(md5('bench-out-' || n || '-' || o.step), 1, 22), ${ref}, o.type, t.at, r.partner_id, $2, o.status_after, t.at
        FROM referrals r CROSS JOIN ${series} ${SPREAD}
        JOIN o ON o.k = n % 10
        CROSS JOIN LATERAL (SELECT r.delivered_at - s.back + o.hours * s.f * interval '1 hour' AS at) t
        WHERE r.id = $1 ORDER BY n, o.step`, [...params, world.inboxReader.clientId]);
      await tx.unsafe(`INSERT INTO outbox (referral_id, kind, message_id, partner_id, attempts, available_at, relayed_at, done_at, outcome, relays)
        SELECT ${ref}, o.kind, 'msg_' || substr(md5('bench-msg-' || n), 1, 22), o.partner_id, o.attempts, o.available_at, o.relayed_at, o.done_at, o.outcome, o.relays
        FROM outbox o, ${series} WHERE o.referral_id = $1`, params);
      await tx.unsafe(`INSERT INTO disclosures (id, at, participant_id, recipient_org_id, referral_id, categories, purpose, basis_ids, channel)
        SELECT 'dis_' || substr(md5('bench-dis-' || n), 1, 22), d.at, ${who}, d.recipient_org_id, ${ref}, d.categories, d.purpose,
          ARRAY['con_' || substr(md5('bench-con-' || (n % ${population})), 1, 22)], d.channel
        FROM disclosures d, ${series} WHERE d.referral_id = $1 AND d.channel = 'delivery'`, params);
      // Through the chaining trigger, as the hub's own entries are.
      await tx.unsafe(`INSERT INTO audit_log (actor, action, subject, detail)
        SELECT a.actor, a.action, ${ref}, a.detail FROM audit_log a, ${series} WHERE a.subject = $1 AND a.action = 'referral.created' ORDER BY n`, params);
    });
    log(`  referrals ${to + 1}`);
  }
  // VACUUM as autovacuum would after a bulk insert (PostgreSQL 13 and later vacuum insert-only
  // tables too): it sets the visibility map, without which no index-only scan is possible.
  await sql`VACUUM (ANALYZE) referrals, participants`;
  await sql`ANALYZE`;
}

/** A SQL array literal of text values (null allowed), for the mixes above: fixed data, never input. */
function sqlArray(values: (string | null)[]): string {
  return `ARRAY[${values.map((v) => (v === null ? 'NULL' : `'${v}'`)).join(', ')}]::text[]`;
}
