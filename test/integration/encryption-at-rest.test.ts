import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/config.js';
import { parseDataKeys } from '../../crypto/data-keys.js';
import { reencryptAll } from '../../store/data-key-rotation.js';
import { generateClientKey } from '../../dev/keys.js';
import { createLogger } from '../../lib/logger.js';
import { startHub, type RunningHub } from '../../runtime/start.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { Api, eventually, testEnv } from '../support/hub.js';
import { adultParticipant, fullCaseFile, permitConsent } from '../support/fixtures.js';

const run = promisify(execFile);
const SECRET_REASON = 'MARKER-REJECTION-REASON-9c1d';

describe('case data at rest', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let running: RunningHub | undefined;
  let api: Api;
  let planner: string;
  let referralId: string;

  const start = async (overrides: Record<string, string> = {}) => {
    running = await startHub(parseConfig({ ...env, ...overrides }), createLogger('silent'));
    api = new Api(running.url!);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const made = await testEnv(db);
    env = made.env;
    await start();
    const admin = await api.token('hub-admin', made.adminKey);
    const client = async (organizationId: string, role: string) => {
      const key = await generateClientKey();
      const created = await api.request('POST', '/v1/clients', { token: admin, body: { organizationId, role, jwks: key.publicJwks } });
      return api.token(created.body.clientId, key.privateJwk);
    };
    const probation = (await api.request('POST', '/v1/organizations', { token: admin, body: { name: 'Probation', kind: 'probation', adapter: { type: 'portal' } } })).body;
    const clinic = (await api.request('POST', '/v1/organizations', { token: admin, body: { name: 'Clinic', kind: 'mental_health', adapter: { type: 'portal' } } })).body;
    planner = await client(probation.id, 'planner');
    const compliance = await client(probation.id, 'compliance');
    const partner = await client(clinic.id, 'partner');
    const participant = (await api.request('POST', '/v1/participants', { token: planner, body: adultParticipant })).body;
    await api.request('POST', '/v1/consents', { token: compliance, body: permitConsent(participant.id, clinic.id, ['identity', 'mental_health']) });
    referralId = (await api.request('POST', '/v1/referrals', {
      token: planner,
      body: { participantId: participant.id, partnerId: clinic.id, service: 'mental_health', purpose: 'treatment', reason: 'MARKER-REFERRAL-REASON', caseFile: fullCaseFile() },
    })).body.id;
    await eventually(async () => ((await api.request('GET', `/v1/referrals/${referralId}`, { token: partner })).status === 200 ? true : undefined));
    const rejected = await api.request('POST', `/v1/referrals/${referralId}/events`, { token: partner, body: { type: 'rejected', reason: SECRET_REASON } });
    expect(rejected.status).toBe(201);
  });
  afterAll(async () => {
    await running?.stop();
    await db?.drop();
  });

  it('leaves no case-file text, name, reason or note in a pg_dump of the database', async () => {
    const { stdout } = await run('pg_dump', ['--data-only', db.url], { maxBuffer: 64 * 1024 * 1024 });
    expect(stdout).toContain(referralId); // the dump really holds the referral
    for (const secret of ['MARKER-', 'Rivera', 'Jordan', SECRET_REASON, '555-0100']) expect(stdout, secret).not.toContain(secret);
  });

  it('rotates data keys without downtime: new key first, re-encrypt in batches, then drop the old key', async () => {
    const oldKeys = env.HUB_DATA_KEYS!;
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const both = parseDataKeys(`${newKey},${oldKeys}`);
    const first = await reencryptAll(db.sql, both, 2);
    expect(first.reduce((n, r) => n + r.reencrypted, 0)).toBeGreaterThan(12);
    const second = await reencryptAll(db.sql, both, 2);
    expect(second.reduce((n, r) => n + r.reencrypted, 0)).toBe(0);

    await running!.stop();
    await start({ HUB_DATA_KEYS: newKey });
    const read = await api.request('GET', `/v1/referrals/${referralId}`, { token: planner });
    expect(read.status).toBe(200);
    expect(read.body.caseFile).toEqual(fullCaseFile());
    expect(read.body.reason).toBe('MARKER-REFERRAL-REASON');
    const timeline = await api.request('GET', `/v1/referrals/${referralId}/timeline`, { token: planner });
    expect(timeline.body.items.at(-1)).toMatchObject({ type: 'rejected', reason: SECRET_REASON });
  });
});
