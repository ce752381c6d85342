/**
 * R2, the intake floor: zod validation of the referral with its 4 KB case file (the hub's own
 * schema), AES-256-GCM encryption, and one SQL statement whose CTEs insert the referral, its
 * outbox row and its audit row. The hub's intake is judged as a ratio to this.
 */
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { ReferralInput } from '../../schemas/referral.js';
import { floorKey, seal } from './crypto.js';
import { floorPool } from './pool.js';
import { serveFloor } from './serve.js';

const key = floorKey();
const sql = floorPool();
const token = process.env.BENCH_FLOOR_TOKEN!;

const app = new Hono();
app.post('/v1/referrals', async (c) => {
  if (c.req.header('authorization') !== `Bearer ${token}`) return c.json({ title: 'unauthorized' }, 401);
  const parsed = ReferralInput.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success) return c.json({ title: 'invalid', errors: parsed.error.issues.map((i) => i.path.join('.')) }, 400);
  const input = parsed.data;
  const id = `ref_${randomBytes(16).toString('base64url')}`;
  const messageId = `msg_${randomBytes(16).toString('base64url')}`;
  await sql`WITH r AS (
      INSERT INTO floor_intake (id, participant_id, partner_id, service, purpose, reason, case_file)
      VALUES (${id}, ${input.participantId}, ${input.partnerId}, ${input.service}, ${input.purpose}, ${seal(key, input.reason)}, ${seal(key, JSON.stringify(input.caseFile))})
      RETURNING id),
    o AS (INSERT INTO floor_outbox (referral_id, message_id) SELECT id, ${messageId} FROM r)
    INSERT INTO floor_audit (actor, action, subject) SELECT 'cli_floor', 'referral.created', id FROM r`;
  return c.json({ id, status: 'queued' }, 201);
});
serveFloor(app);
