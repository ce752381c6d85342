import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testEnv } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/process-hub.js';
import { runWalkthrough } from './readme-walkthrough.js';

describe('the README walkthrough, word for word, against the hub running as its own process', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    dir = await mkdtemp(path.join(tmpdir(), 'hub-walkthrough-'));
    port = await freePort();
    const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: `http://localhost:${port}`, LOG_LEVEL: 'debug', HUB_DELIVERY_SCHEDULE: '0,1,2' });
    await writeFile(path.join(dir, 'admin.jwk'), JSON.stringify(adminKey), { mode: 0o600 });
    hub = await spawnHub(env, port);
  });
  afterAll(async () => {
    await hub?.kill();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('walks from organisations and consent to a delivered, completed referral and its accounting', async () => {
    const { code, stdout, stderr } = await runWalkthrough({ HUB: `http://localhost:${port}`, W: dir, ADMIN_KEY: path.join(dir, 'admin.jwk'), PORT_WEBHOOK: String(await freePort()) });
    expect(code, stderr).toBe(0);
    // Every step worked: the walkthrough had nothing to complain about.
    expect(stderr).toBe('');
    const lines = stdout.split('\n').filter((l) => l.startsWith('{"'));
    const parsed = lines.map((l) => JSON.parse(l));

    const webhook = parsed.find((l) => l.type === 'referral.created');
    expect(webhook, stdout).toBeDefined();
    expect(webhook.signatureValid).toBe(true);
    // Only what the consent names left the hub; three items (justice, substance use, its note) were withheld.
    expect(webhook.categories).toEqual(['contact', 'housing', 'identity', 'notes']);
    expect(webhook.withheld).toBe(3);

    expect(parsed.filter((l) => 'status' in l && 'type' in l).map((l) => l.status)).toEqual(['received', 'accepted', 'in_progress', 'completed']);
    const timeline = parsed.filter((l) => 'by' in l || (l.type && !('status' in l) && !('categories' in l) && !('channel' in l)));
    expect(timeline.map((l) => l.type)).toEqual(['created', 'delivered', 'received', 'accepted', 'in_progress', 'completed']);

    const disclosure = parsed.find((l) => l.channel === 'delivery');
    expect(disclosure.categories).toEqual(['identity', 'contact', 'housing']);
    expect(disclosure.basisIds).toHaveLength(1);
    expect(stdout).toContain('"status": "active"');

    // The hub logged at debug level throughout, and no case-file content reached a log line.
    const logs = hub.output();
    expect(logs).toContain('"level"');
    for (const secret of ['couch-surfing', 'asiScore', 'Prefers the east side', 'outpatient treatment', '555-0100']) expect(logs, secret).not.toContain(secret);
  }, 120_000);
});
