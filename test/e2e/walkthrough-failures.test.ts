import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClientKey } from '../../dev/keys.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { testEnv } from '../support/hub.js';
import { freePort, spawnHub, type HubProcess } from '../support/process-hub.js';
import { readmeExtractCommand, readmeWalkthrough, runWalkthrough, shell } from './readme-walkthrough.js';

/** A hub process of its own, its admin key in a folder the walkthrough also uses for its files. */
async function walkthroughHub(overrides: Record<string, string>) {
  const db = await createTestDatabase({ migrate: false });
  const dir = await mkdtemp(path.join(tmpdir(), 'hub-walkthrough-'));
  const port = await freePort();
  const { env, adminKey } = await testEnv(db, { HUB_PUBLIC_URL: `http://localhost:${port}`, HUB_DELIVERY_SCHEDULE: '0,0.5,0.5', ...overrides });
  await writeFile(path.join(dir, 'admin.jwk'), JSON.stringify(adminKey), { mode: 0o600 });
  const hub = await spawnHub(env, port);
  return {
    dir,
    walkthroughEnv: (extra: Record<string, string> = {}) => ({ HUB: `http://localhost:${port}`, W: dir, ADMIN_KEY: path.join(dir, 'admin.jwk'), ...extra }),
    async stop() {
      await hub.kill();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const exists = (file: string) => access(file).then(() => true, () => false);

describe("the README's command for running the walkthrough from the file", () => {
  it('extracts exactly the block the tests run', async () => {
    expect(await shell(await readmeExtractCommand())).toBe(await readmeWalkthrough());
  });
});

describe('the README walkthrough fails loudly, with the reason, at the first step that fails', () => {
  it('stops at step 2 with the hub\'s refusal when the hub was started without HUB_ALLOW_PRIVATE_TARGETS', async () => {
    const hub = await walkthroughHub({ HUB_ALLOW_PRIVATE_TARGETS: 'false' });
    try {
      const run = await runWalkthrough(hub.walkthroughEnv({ PORT_WEBHOOK: String(await freePort()) }));
      expect(run.code, run.stdout).not.toBe(0);
      // The hub's own problem, naming the field it refused, not `{"id":null}` and a chain of 401s.
      expect(run.stderr).toMatch(/^walkthrough: http:\/\/localhost:\d+\/v1\/organizations answered HTTP 4\d\d: /m);
      expect(run.stderr).toContain('adapter.url');
      // A status, not a port: the hub listens on a random port, which may hold the digits 401.
      expect(run.stderr).not.toMatch(/HTTP 401\b/);
      expect(run.stdout).not.toContain('null');
      // Nothing after step 2 ran.
      expect(await exists(path.join(hub.dir, 'planner.jwk'))).toBe(false);
    } finally {
      await hub.stop();
    }
  }, 60_000);

  describe('against a hub that lets partner URLs point at this machine', () => {
    let hub: Awaited<ReturnType<typeof walkthroughHub>>;
    beforeAll(async () => {
      hub = await walkthroughHub({ HUB_ALLOW_PRIVATE_TARGETS: 'true' });
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('says at step 8 that no webhook came, and where the referral stands', async () => {
      // The hub is told to deliver to an address where nothing listens (127.0.0.2 is loopback
      // too, but the listener binds 127.0.0.1 only), so every attempt is refused.
      const run = await runWalkthrough(hub.walkthroughEnv({ PORT_WEBHOOK: String(await freePort()), WEBHOOK_HOST: '127.0.0.2', WEBHOOK_WAIT: '5' }));
      expect(run.code, run.stdout).not.toBe(0);
      expect(run.stderr).toMatch(/^walkthrough: no webhook for referral ref_\S+ reached the listener within 5 s; the hub reports \{"status":"\w+","lastError":"[^"]+"\}/m);
      // Step 9 never ran: no partner event was printed as if it had worked.
      expect(run.stdout).not.toContain('"status":"received"');
    }, 60_000);

    it('says when the webhook listener cannot start, and stops it before step 5', async () => {
      const blocker = createServer();
      const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
      try {
        const run = await runWalkthrough(hub.walkthroughEnv({ PORT_WEBHOOK: String(port) }));
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain(`walkthrough: the webhook listener stopped: hubctl: cannot listen on 127.0.0.1:${port}: the port is in use`);
      } finally {
        blocker.close();
      }
    }, 60_000);
  });

  it('says that no hub answers, when none runs at $HUB', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hub-walkthrough-'));
    try {
      const { privateJwk } = await generateClientKey('ES256');
      await writeFile(path.join(dir, 'admin.jwk'), JSON.stringify(privateJwk), { mode: 0o600 });
      const closed = await freePort();
      const run = await runWalkthrough({ HUB: `http://127.0.0.1:${closed}`, W: dir, ADMIN_KEY: path.join(dir, 'admin.jwk') });
      expect(run.code).not.toBe(0);
      expect(run.stderr.trim()).toBe(`hubctl: cannot reach the hub at http://127.0.0.1:${closed}: connection refused`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
