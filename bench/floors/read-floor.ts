/**
 * R1, the read floor: what a partner read must at least do. Look the bearer token up in memory,
 * one indexed SELECT of a row holding a 4 KB AES-256-GCM-encrypted case file, decrypt it, encode
 * the JSON, and record one disclosure row. The hub's partner read is judged as a ratio to this.
 */
import { Hono } from 'hono';
import { floorKey, open } from './crypto.js';
import { floorPool } from './pool.js';
import { serveFloor } from './serve.js';

const key = floorKey();
const sql = floorPool();
const tokens = new Map<string, { clientId: string; organizationId: string }>([[process.env.BENCH_FLOOR_TOKEN!, { clientId: 'cli_floor', organizationId: 'org_floor' }]]);

const app = new Hono();
app.get('/v1/referrals/:id', async (c) => {
  const header = c.req.header('authorization') ?? '';
  const caller = tokens.get(header.slice('Bearer '.length));
  if (!caller) return c.json({ title: 'unauthorized' }, 401);
  const [row] = await sql<{ id: string; case_file: Buffer }[]>`SELECT id, case_file FROM floor_referrals WHERE id = ${c.req.param('id')}`;
  if (!row) return c.json({ title: 'not found' }, 404);
  const caseFile = JSON.parse(open(key, row.case_file)) as Record<string, unknown>;
  const categories = Object.keys(caseFile).filter((k) => k !== 'notes');
  await sql`INSERT INTO floor_disclosures (referral_id, recipient, categories) VALUES (${row.id}, ${caller.organizationId}, ${categories})`;
  return c.json({ id: row.id, status: 'delivered', caseFile });
});
serveFloor(app);
