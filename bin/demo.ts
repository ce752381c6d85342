import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { JWK } from 'jose';
import { guide } from '../dev/demo/guide.js';
import { runDemo } from '../dev/demo/run.js';

/**
 * `npm run demo`: seeds a county reentry network on a running hub through its public API (see
 * README, "Demo") and keeps the partners' receivers running until Ctrl-C.
 */

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`${what}: a whole number from 1`);
  return n;
};

const url = (value: string) => {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return value.replace(/\/$/, '');
  } catch {
    // said below
  }
  throw new InvalidArgumentError('not an http(s) URL');
};

const SMALL = 60;
const dataDir = process.env.HUB_DATA_DIR ?? '.hub';

const program = new Command('demo')
  .description('Seed a realistic referral network on a running hub through its API, idempotently, and play its partners.')
  .addOption(new Option('--hub <url>', 'the hub to seed').env('HUB_URL').default('http://localhost:8080').argParser(url))
  .addOption(new Option('--public-url <url>', "the hub's HUB_PUBLIC_URL, when it is not --hub (client assertions name it)").argParser(url))
  .option('--participants <n>', 'how many participants', positive('--participants'), 2000)
  .option('--small', `a quick run: ${SMALL} participants`)
  .option('--backdate [database-url]', "spread the referrals over the past year by moving the hub's own time stamps in its database (development only; default DATABASE_URL or the local hub database)")
  .option('--exit', 'stop the partners and exit once seeded, instead of running until Ctrl-C')
  .option('--json', 'print what was done as one JSON line instead of the sign-in guide')
  .addOption(new Option('--admin-client <id>', 'the bootstrap admin client').env('HUB_ADMIN_CLIENT_ID').default('hub-admin'))
  .option('--admin-key <file>', "the admin client's private key (npm start writes it)", path.join(dataDir, 'admin-private-jwk.json'))
  .option('--concurrency <n>', 'participants seeded at once', positive('--concurrency'), 12)
  .option('--poll-interval <seconds>', "how often the hub polls the demo's FHIR partners", positive('--poll-interval'), 2)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(`demo: ${text.replace(/^error: /, '')}`) });

try {
  program.parse(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  throw error;
}

const opts = program.opts<{
  hub: string; publicUrl?: string; participants: number; small?: boolean; backdate?: string | boolean; exit?: boolean; json?: boolean;
  adminClient: string; adminKey: string; concurrency: number; pollInterval: number;
}>();

let adminKey: JWK;
try {
  adminKey = JSON.parse(await readFile(opts.adminKey, 'utf8')) as JWK;
} catch (error) {
  process.stderr.write(`demo: cannot read the admin key ${opts.adminKey} (${(error as Error).message}); start the hub once with npm start, or pass --admin-key\n`);
  process.exit(1);
}

const participants = opts.small ? SMALL : opts.participants;
const backdateUrl = opts.backdate === undefined || opts.backdate === false ? undefined : opts.backdate === true ? (process.env.DATABASE_URL ?? 'postgres://localhost:5432/hub') : opts.backdate;
const began = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

let run;
try {
  run = await runDemo({
    hub: opts.hub, ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}), participants, adminClientId: opts.adminClient, adminKey, dataDir,
    concurrency: opts.concurrency, ...(backdateUrl ? { backdateDatabaseUrl: backdateUrl } : {}), pollIntervalSeconds: opts.pollInterval,
    settleTimeoutMs: 60_000 + participants * 40, log,
  });
} catch (error) {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(1);
}

process.stdout.write(opts.json ? `${JSON.stringify(run.summary)}\n` : guide(opts.hub, run.summary, { keepsRunning: !opts.exit }));
if (opts.exit) {
  await run.close();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log('stopping the partners');
    void run.close().then(() => process.exit(0));
  });
}
