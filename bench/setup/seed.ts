import type { Sql } from 'postgres';
import type { World } from './world.js';

/**
 * Grows the hub's database with set-based SQL (INSERT … SELECT over generate_series, in chunks),
 * far faster than the API and shaped exactly like real rows: every bulk row is a copy of one the
 * API wrote during setup (the template participant, its consent, the template referral with its
 * encrypted case-file entries, timeline events, done outbox row, delivery disclosure and audit
 * entry), under new ids. Bulk rows share the template's ciphertexts, which the hub decrypts as
 * it would any other. Bulk referrals are delivered to the inbox partner, so partner reads work
 * on any of them, and each bulk participant has its own consent, so decisions do real work.
 */
export interface Size {
  participants: number;
  referrals: number;
}

const CHUNK = 50_000;
const participantId = (n: string) => `'par_' || substr(md5('bench-par-' || ${n}), 1, 22)`;

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
      INSERT INTO participants (id, organization_id, external_id, birth_date, record_jwe)
        SELECT ${participantId('n')}, p.organization_id, '${BULK}', p.birth_date, p.record_jwe
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
      await tx.unsafe(`INSERT INTO referrals (id, participant_id, referrer_org_id, partner_id, service, purpose, priority, reason_jwe, status, delivered_at, created_by)
        SELECT ${ref}, ${who}, r.referrer_org_id, r.partner_id, r.service, r.purpose, r.priority, r.reason_jwe, r.status, r.delivered_at, r.created_by
        FROM referrals r, ${series} WHERE r.id = $1`, params);
      await tx.unsafe(`INSERT INTO case_file_entries (referral_id, ordinal, kind, category, content_jwe)
        SELECT ${ref}, e.ordinal, e.kind, e.category, e.content_jwe FROM case_file_entries e, ${series} WHERE e.referral_id = $1`, params);
      await tx.unsafe(`INSERT INTO referral_events (id, referral_id, type, occurred_at, by_org_id, by_client_id, status_after)
        SELECT 'evt_' || substr(md5('bench-evt-' || n || '-' || e.seq), 1, 22), ${ref}, e.type, e.occurred_at, e.by_org_id, e.by_client_id, e.status_after
        FROM referral_events e, ${series} WHERE e.referral_id = $1 ORDER BY n, e.seq`, params);
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
  await sql`ANALYZE`;
}
