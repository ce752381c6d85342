/**
 * `npm run bench`: the hub as production runs it (NODE_ENV=production, gateway and worker
 * processes apart, real PostgreSQL and Redis, a fresh database and queue prefix), driven from a
 * separate load-generator process on loopback, beside floors measured in the same run. Every
 * measurement runs in alternating rounds (floor, scenario, floor, scenario, …); the table shows
 * min/median/max and judges targets on medians. Results go to bench/results/<date>.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import postgres from 'postgres';
import { createFloorTables } from './floors/tables.js';
import { startHubProcesses, type RunningHubProcesses } from './hub/hub.js';
import { generateBenchKeys } from './hub/keys.js';
import { cpuMeter, machineCpuMs } from './hub/cpu.js';
import { readRss, sampleRss } from './hub/memory.js';
import { floorReady, REPO_ROOT, startProcess, type BenchProcess } from './hub/processes.js';
import { createBenchDatabase, deleteQueueKeys, deliveryJobCounter, dropBenchDatabase, REDIS_URL, serviceVersions } from './hub/services.js';
import { quantile, spread } from './lib/stats.js';
import { runLoad, type ClosedLoopResult, type OpenLoopResult } from './load/index.js';
import { machine, machineLine, table, writeResults, type Row } from './report.js';
import { measureConsentInChild } from './scenarios/consent.js';
import { endToEndJob } from './scenarios/end-to-end.js';
import { consolePages, timePage } from './scenarios/console-pages.js';
import { checkIndicators, pastYear, timeReport } from './scenarios/indicators.js';
import { settle } from './scenarios/quiet.js';
import { formatPgWaits, samplePgWaits } from './profile/pg-waits.js';
import { formatSummary, summariseFile } from './profile/summary.js';
import { checkSample, closedJob, THROUGHPUT_LABELS, type Targets, type ThroughputId } from './scenarios/throughput.js';
import { BenchApi } from './setup/api.js';
import { growTo, seededSize, type Size } from './setup/seed.js';
import { signInStaff } from './setup/staff.js';
import { buildWorld, type World } from './setup/world.js';

const SCENARIOS = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7'] as const;
type Scenario = (typeof SCENARIOS)[number];

const program = new Command('bench')
  .description('Measure the hub against its floors (see README "Benchmark")')
  .option('--smoke', 'every scenario once with tiny sizes, asserting only that each answers correctly; exits 1 otherwise')
  .option('--only <list>', 'comma-separated scenarios to run (B1,B2,B3,B4,B5,B6,B7); floors come with their scenario')
  .option('--rounds <n>', 'alternating rounds of every measurement', (v) => positiveInt('--rounds', v))
  .option('--seconds <n>', 'seconds of each closed-loop round', (v) => positiveInt('--seconds', v))
  .option('--e2e-seconds <n>', 'seconds of load at each end-to-end rate', (v) => positiveInt('--e2e-seconds', v))
  .option('--growth', 'also run B1, B2 and B5 with the database grown 10× and 100× (1,000,000 referrals)')
  .addOption(new Option('--connections <n>', 'closed-loop connections').default(32).argParser((v) => positiveInt('--connections', v)))
  .option('--profile [dir]', 'run the gateways and the worker under node --cpu-prof (profiles kept in dir) and sample pg_stat_activity during each scenario; prints where the time went')
  .option('--no-write', 'print the table only, do not write bench/results/');

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a whole number of at least 1, got "${value}"`);
  return n;
}

interface Options {
  smoke?: boolean;
  only?: string;
  rounds?: number;
  seconds?: number;
  e2eSeconds?: number;
  growth?: boolean;
  connections: number;
  write: boolean;
  profile?: string | boolean;
}

program.parse();
const opts = program.opts<Options>();
const only = new Set<Scenario>(opts.only ? parseOnly(opts.only) : SCENARIOS);
const smoke = Boolean(opts.smoke);
const settings = {
  rounds: opts.rounds ?? (smoke ? 1 : 3),
  seconds: opts.seconds ?? (smoke ? 1 : 5),
  warmupSeconds: smoke ? 0 : 1,
  e2eSeconds: opts.e2eSeconds ?? (smoke ? 1 : 20),
  e2eRates: smoke ? [20] : [100, 500, 1000],
  drainSeconds: smoke ? 20 : 30,
  // The base database: referrals and participants before any growth.
  base: smoke ? { referrals: 200, participants: 1_000 } : { referrals: 10_000, participants: 100_000 },
  apiParticipants: smoke ? 5 : 50,
  growth: !smoke && Boolean(opts.growth),
  // B6 reads the indicators report at 100× the base referrals (1,000,000): what --growth ends at.
  indicatorReferrals: smoke ? 200 : 1_000_000,
  indicatorRequests: smoke ? 1 : 5,
  // B7: each console page this many times a round, one at a time, after warm-up requests not counted.
  pageRequests: smoke ? 1 : 10,
  pageWarmups: smoke ? 0 : 3,
};

function parseOnly(list: string): Scenario[] {
  const picked = list.split(',').map((s) => s.trim().toUpperCase());
  const unknown = picked.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) program.error(`--only: unknown scenario ${unknown.join(', ')} (choose from ${SCENARIOS.join(', ')})`);
  return picked as Scenario[];
}

const runStarted = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const failures: string[] = [];
const rows: Row[] = [];
const raw: Record<string, unknown> = { settings, only: [...only] };
const profileDir = opts.profile ? (typeof opts.profile === 'string' ? path.resolve(opts.profile) : path.join(os.tmpdir(), `hub-bench-profile-${Date.now()}`)) : undefined;
/** With --profile: pg_stat_activity samples per scenario, summed over its rounds. */
const pgWaits = new Map<string, Map<string, number>>();
let databaseName = '';

async function main(): Promise<void> {
  const startedAt = Date.now();
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const dbName = `bench_${stamp}_${randomBytes(2).toString('hex')}`;
  const queuePrefix = `bench${stamp}${randomBytes(2).toString('hex')}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hub-bench-'));
  const processes: BenchProcess[] = [];
  let hub: RunningHubProcesses | undefined;
  let sql: postgres.Sql | undefined;
  let jobCounter: ReturnType<typeof deliveryJobCounter> | undefined;
  const m = machine(await serviceVersions());
  const machineAtStart = machineCpuMs();
  log(`machine: ${machineLine(m)}`);
  try {
    const keys = await generateBenchKeys(tmp);
    const databaseUrl = await createBenchDatabase(dbName);
    databaseName = dbName;
    if (profileDir) await mkdir(profileDir, { recursive: true });
    log(`database ${dbName}, queue prefix ${queuePrefix}`);
    hub = await startHubProcesses({ databaseUrl, redisUrl: REDIS_URL, queuePrefix, keyEnv: keys.env, profileDir });
    sql = postgres(databaseUrl, { max: 4, onnotice: () => {}, connection: { application_name: 'bench' } });
    jobCounter = deliveryJobCounter(queuePrefix);
    deliveryJobsLeft = jobCounter.left;
    const running = hub;
    hubLogs = () => [...running.gateways, running.worker].flatMap((p) => p.tail().split('\n').filter((l) => /"level":(50|60)/.test(l)).slice(-5)).join('\n');
    const api = new BenchApi(hub.origins()[0]!, hub.publicUrl);
    log('setup through the API: organisations, clients, participants, consents');
    const world = await buildWorld(api, sql, keys.adminKey, { participants: settings.apiParticipants, webhookPartners: 10 });
    log(`growing the database to ${settings.base.referrals.toLocaleString('en-US')} referrals, ${settings.base.participants.toLocaleString('en-US')} participants (set-based SQL)`);
    await timed('seed', () => growTo(sql!, world, settings.base, log));

    const floorKey = randomBytes(32).toString('base64');
    const floorToken = randomBytes(24).toString('base64url');
    const floorRows = 10_000;
    await createFloorTables(sql, Buffer.from(floorKey, 'base64'), floorRows);
    const floorEnv = { NODE_ENV: 'production', DATABASE_URL: databaseUrl, BENCH_FLOOR_KEY: floorKey, BENCH_FLOOR_TOKEN: floorToken, PORT: '0' };
    const bare = await startProcess('B0 bare', 'bench/floors/bare.ts', floorEnv, floorReady);
    const readFloor = await startProcess('R1 read floor', 'bench/floors/read-floor.ts', floorEnv, floorReady);
    const intakeFloor = await startProcess('R2 intake floor', 'bench/floors/intake-floor.ts', floorEnv, floorReady);
    processes.push(bare, readFloor, intakeFloor);

    const targets = async (): Promise<Targets> => ({
      bare: `http://127.0.0.1:${bare.port}`,
      readFloor: `http://127.0.0.1:${readFloor.port}`,
      intakeFloor: `http://127.0.0.1:${intakeFloor.port}`,
      floorToken,
      floorRows,
      hub: hub!.origins(),
      tokens: {
        planner: await api.token(world.planner.clientId, world.planner.key),
        reader: await api.token(world.inboxReader.clientId, world.inboxReader.key),
        compliance: await api.token(world.compliance.clientId, world.compliance.key),
      },
      inboxId: world.inboxId,
      readableReferralIds: (await sql!<{ id: string }[]>`SELECT id FROM referrals WHERE partner_id = ${world.inboxId} AND delivered_at IS NOT NULL ORDER BY random() LIMIT 20000`).map((r) => r.id),
      referredParticipantIds: world.participantIds,
      allParticipantIds: (await sql!<{ id: string }[]>`SELECT id FROM participants WHERE organization_id = ${world.referrerId}`).map((r) => r.id),
    });

    // Throughput: B0 and each floor alternate with their scenario, round after round.
    const ids: ThroughputId[] = ['B0'];
    if (only.has('B1')) ids.push('R1', 'B1');
    if (only.has('B2')) ids.push('R2', 'B2');
    if (only.has('B5')) ids.push('B5');
    const floors: Partial<Record<ThroughputId, BenchProcess>> = { B0: bare, R1: readFloor, R2: intakeFloor };
    const serving: ServingProcesses = (id): Record<string, number> => {
      const floor = floors[id];
      return floor ? { floor: floor.pid } : { gateway: running.gateways[0]!.pid, worker: running.worker.pid };
    };
    const base = await throughputRounds(ids, targets, sql, 'base', serving);
    raw.throughput = base;
    throughputRows(base, '');

    if (only.has('B2')) await scaleOut(hub, targets, sql);
    if (only.has('B3')) await endToEnd(hub, world, api, sql);
    if (only.has('B4')) await consent();
    // Before any growth: the console at the base database, a deployment's size rather than B6's million.
    if (only.has('B7')) await consoleLatency(world, api, hub, await api.token('hub-admin', keys.adminKey));
    if (settings.growth) await growth(world, targets, sql, base, serving);
    if (only.has('B6')) await indicators(world, api, hub, sql);
  } catch (error) {
    failures.push(`the run stopped: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await hub?.stop().catch(() => {});
    await sql?.end({ timeout: 5 }).catch(() => {});
    await jobCounter?.close().catch(() => {});
    await dropBenchDatabase(dbName).catch((e: Error) => log(`could not drop ${dbName}: ${e.message}`));
    await deleteQueueKeys(queuePrefix).catch((e: Error) => log(`could not delete queue keys ${queuePrefix}:*: ${e.message}`));
    await rm(tmp, { recursive: true, force: true });
  }

  if (profileDir) await reportProfile(profileDir);
  const minutes = (Date.now() - startedAt) / 60_000;
  raw.minutes = minutes;
  // Steal is CPU the hypervisor gave other guests while this one wanted it: figures from a run with
  // much of it were slowed by neighbours, and only the ratios within a round stay comparable.
  const stealShare = (machineCpuMs().steal - machineAtStart.steal) / (Date.now() - startedAt) / m.cores;
  raw.stealShare = stealShare;
  const header = smoke
    ? 'Smoke run: every scenario once with tiny sizes; the figures mean nothing.'
    : `${settings.rounds} alternating rounds, ${settings.seconds} s closed-loop rounds at ${opts.connections} connections, ${settings.e2eSeconds} s per end-to-end rate; targets judged on medians; run took ${minutes.toFixed(1)} min, with ${(stealShare * 100).toFixed(1)} % of the cores' time stolen by the hypervisor for other guests.`;
  process.stdout.write(`\n${header}\n\n${table(rows)}\n`);
  if (opts.write && !smoke && failures.length === 0) {
    const written = await writeResults(path.join(REPO_ROOT, 'bench/results'), new Date().toISOString().slice(0, 10), m, rows, raw, header);
    log(`written: ${written.map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.length} failure(s):\n- ${failures.join('\n- ')}\n`);
    process.exitCode = 1;
  } else if (smoke) log(`smoke: every scenario answered correctly (${minutes.toFixed(1)} min)`);
}

/** A closed-loop round and the CPU it cost per request, by process (`cpuMeter`'s names). */
type MeasuredRound = ClosedLoopResult & { cpuMsPerRequest: Record<string, number> };
type Rounds = Partial<Record<ThroughputId, MeasuredRound[]>>;
/** The processes that serve a scenario, by name, for its CPU per request. */
type ServingProcesses = (id: ThroughputId) => Record<string, number>;

async function throughputRounds(ids: ThroughputId[], targets: () => Promise<Targets>, sql: postgres.Sql, label: string, serving: ServingProcesses): Promise<Rounds> {
  const results: Rounds = {};
  for (let round = 1; round <= settings.rounds; round++) {
    const t = await targets();
    for (const id of ids) {
      const sampler = profileDir && !id.startsWith('R') && id !== 'B0' ? samplePgWaits(sql, databaseName) : undefined;
      const cpu = cpuMeter(serving(id), SERVICES);
      const result = await runLoad(closedJob(id, t, { connections: opts.connections, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds }));
      if (sampler) {
        const sum = pgWaits.get(id) ?? new Map<string, number>();
        for (const [what, n] of await sampler.stop()) sum.set(what, (sum.get(what) ?? 0) + n);
        pgWaits.set(id, sum);
      }
      // Intake leaves deliveries behind: let them finish before the next measurement, and count
      // the worker's CPU for them in this round's, so it is the CPU an intake costs in all.
      if (id === 'B2') await settle(sql, 60, deliveryJobsLeft);
      const sent = result.requests + result.warmupRequests;
      const cpuMsPerRequest = Object.fromEntries(Object.entries(cpu.stop()).map(([name, ms]) => [name, ms / sent]));
      (results[id] ??= []).push({ ...result, cpuMsPerRequest });
      log(`${label} round ${round} ${id}: ${Math.round(result.perSecond)}/s p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors; ` +
        `CPU per request ${Object.entries(cpuMsPerRequest).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`).join(', ')}`);
      judgeAnswers(`${label} ${id}`, result, checkSample(id, result.sample));
    }
  }
  return results;
}

let hubLogs: () => string = () => '';
/** Delivery jobs left in Redis, once the hub runs (`settle` waits for them). */
let deliveryJobsLeft: () => Promise<number> = async () => 0;

/** --profile: the hub processes' CPU profiles (written as they exited) and the PostgreSQL samples, summarised. */
async function reportProfile(dir: string): Promise<void> {
  const out: string[] = [];
  for (const [id, counts] of pgWaits) out.push(formatPgWaits(`${id}: PostgreSQL connections of the hub during the load`, counts));
  const gateways = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith('gateway-') || f === 'worker');
  for (const gateway of gateways) {
    // One profile per thread: the main thread is the one that did the work (tsx's loader thread idles).
    const files = (await readdir(path.join(dir, gateway))).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, gateway, f));
    const busiest = files.map((f) => ({ f, s: summariseFile(f, 30) })).sort((a, b) => b.s.totalMs - a.s.totalMs)[0];
    if (busiest) out.push(formatSummary(`CPU profile of ${gateway}, ${busiest.f} (its main thread over its whole life: setup and every scenario run)`, busiest.s));
  }
  if (gateways.length === 0) out.push(`no gateway profile in ${dir}: did the gateway exit cleanly?`);
  process.stdout.write(`\n${out.join('\n\n')}\n`);
}

function judgeAnswers(what: string, result: ClosedLoopResult, wrong: string | undefined): void {
  if (result.statuses['500']) log(`${what}: the hub answered 500; its error log lines:\n${hubLogs()}`);
  if (result.ok === 0 || wrong) failures.push(`${what}: ${wrong ?? 'no correct answer'}${result.firstError ? ` (first error: ${result.firstError})` : ''}`);
  else if (result.errors > 0) failures.push(`${what}: ${result.errors} of ${result.requests} answers were wrong (first: ${result.firstError})`);
}

const perSecond = (rs: ClosedLoopResult[] | undefined) => spread((rs ?? []).map((r) => r.perSecond));
const ratio = (a: ClosedLoopResult[] | undefined, b: ClosedLoopResult[] | undefined) =>
  spread((a ?? []).map((r, i) => r.perSecond / (b?.[i]?.perSecond ?? Number.NaN)));

function throughputRows(results: Rounds, suffix: string): void {
  for (const id of ['B0', 'R1', 'B1', 'R2', 'B2', 'B5'] as ThroughputId[]) {
    const rs = results[id];
    if (!rs) continue;
    const row: Row = { name: `${THROUGHPUT_LABELS[id]}${suffix}`, unit: 'req/s', value: perSecond(rs), note: `p99 ${spread(rs.map((r) => r.p99Ms)).median.toFixed(0)} ms` };
    if (id === 'B5') Object.assign(row, { target: '≥ 6,600/s', met: row.value.median >= 6_600 });
    rows.push(row);
    if (id === 'B1' || id === 'B2') {
      // The ratio per round: each scenario round against the floor round just before it.
      const value = ratio(rs, results[id === 'B1' ? 'R1' : 'R2']);
      rows.push({ name: `${id} ÷ ${id === 'B1' ? 'R1' : 'R2'}${suffix}`, unit: '×', value, target: '≥ 0.6', met: value.median >= 0.6 });
    }
    if (id !== 'B0' && results.B0) rows.push({ name: `${id} ÷ B0${suffix}`, unit: '×', value: ratio(rs, results.B0) });
    if (id === 'B0') continue;
    for (const name of Object.keys(rs[0]!.cpuMsPerRequest)) {
      if (name === 'steal') continue;
      const note = id === 'B2' && name === 'worker' ? { note: 'the deliveries the intake left, until the queue was empty' } : {};
      rows.push({ name: `${id} CPU per request: ${CPU_LABELS[name] ?? name}${suffix}`, unit: 'ms CPU', value: spread(rs.map((r) => r.cpuMsPerRequest[name]!)), ...note });
    }
  }
}

/** The services whose processes' CPU a round counts too, by command name. */
const SERVICES = { postgres: 'postgres', redis: 'redis-server' };
const CPU_LABELS: Record<string, string> = {
  gateway: 'gateway',
  worker: 'worker',
  floor: 'floor process',
  postgres: 'PostgreSQL (its processes on this machine)',
  redis: 'Redis',
  machine: 'whole machine (the above, the load generator and everything else running)',
};

/** Scale-out: B2 through one gateway and through two (the load spread over both), alternating. */
async function scaleOut(hub: RunningHubProcesses, targets: () => Promise<Targets>, sql: postgres.Sql): Promise<void> {
  log('scale-out: a second gateway');
  const second = await hub.addGateway();
  try {
    const one: ClosedLoopResult[] = [];
    const two: ClosedLoopResult[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [list, origins] of [[one, hub.origins().slice(0, 1)], [two, hub.origins()]] as const) {
        const result = await runLoad(closedJob('B2', await targets(), { connections: opts.connections, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds, origins }));
        list.push(result);
        log(`scale-out round ${round}, ${origins.length} gateway(s): ${Math.round(result.perSecond)}/s`);
        judgeAnswers(`B2 over ${origins.length} gateway(s)`, result, checkSample('B2', result.sample));
        await settle(sql, 60, deliveryJobsLeft);
      }
    }
    raw.scaleOut = { one, two };
    rows.push({ name: 'B2 intake, 1 gateway process', unit: 'req/s', value: perSecond(one) });
    rows.push({ name: 'B2 intake, 2 gateway processes', unit: 'req/s', value: perSecond(two) });
    rows.push({ name: 'B2 scale-out: 2 gateways ÷ 1', unit: '×', value: ratio(two, one), note: 'above 1 when writes are not serialised' });
  } finally {
    await hub.removeGateway(second);
  }
}

/** B3 at each rate, with every hub process's memory at rest and sampled throughout. */
async function endToEnd(hub: RunningHubProcesses, world: World, api: BenchApi, sql: postgres.Sql): Promise<void> {
  const pids: Record<string, number> = { gateway: hub.gateways[0]!.pid, worker: hub.worker.pid };
  const rest = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, readRss(pid)?.rssMb ?? Number.NaN]));
  const sampler = sampleRss(pids);
  const byRate = new Map<number, OpenLoopResult[]>();
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      for (const rate of settings.e2eRates) {
        const token = await api.token(world.planner.clientId, world.planner.key);
        const result = await runLoad(endToEndJob(world, hub.origins(), token, rate, settings.e2eSeconds, settings.drainSeconds));
        byRate.set(rate, [...(byRate.get(rate) ?? []), result]);
        log(`B3 round ${round} at ${rate}/s: ${result.delivered}/${result.offered} delivered, p50 ${fmtMs(result.p50Ms)}, p99 ${fmtMs(result.p99Ms)}, drain ${result.drainSeconds?.toFixed(1) ?? '> window'} s`);
        if (result.invalidSignatures > 0) failures.push(`B3 at ${rate}/s: ${result.invalidSignatures} webhooks with an invalid signature`);
        if (smoke && result.delivered !== result.offered) failures.push(`B3 at ${rate}/s: ${result.delivered} of ${result.offered} referrals arrived (${result.firstError ?? 'no error answer'})`);
        const left = await settle(sql, smoke ? 30 : 20, deliveryJobsLeft);
        if (left.discarded > 0) log(`  ${left.discarded} deliveries still pending after the window were discarded so the next round starts quiet`);
      }
    }
  } finally {
    const peak = sampler.stop();
    const hwm = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, readRss(pid)?.hwmMb ?? Number.NaN]));
    raw.memory = { restMb: rest, b3PeakMb: peak, hwmMb: hwm };
    for (const name of Object.keys(pids)) {
      rows.push({ name: `memory: ${name} at rest`, unit: 'MB', value: spread([rest[name]!]) });
      rows.push({ name: `memory: ${name} peak during B3`, unit: 'MB', value: spread([peak[name] ?? Number.NaN]), target: '≤ 250 MB', met: (peak[name] ?? Infinity) <= 250 });
    }
  }
  raw.endToEnd = Object.fromEntries(byRate);
  for (const [rate, results] of byRate) {
    const s = (f: (r: OpenLoopResult) => number) => spread(results.map(f));
    const p99 = s((r) => r.p99Ms);
    const drain = s((r) => r.drainSeconds ?? Number.POSITIVE_INFINITY);
    const judged = rate === 500;
    rows.push({ name: `B3 ${rate}/s: delivered/s`, unit: 'req/s', value: s((r) => r.deliveredPerSecond), note: `${s((r) => r.delivered).median} of ${results[0]!.offered} arrived, ${s((r) => r.errors).median} not answered 201 within the window` });
    rows.push({ name: `B3 ${rate}/s: p50 POST→receipt`, unit: 'ms', value: s((r) => r.p50Ms) });
    rows.push({ name: `B3 ${rate}/s: p99 POST→receipt`, unit: 'ms', value: p99, ...(judged ? { target: '≤ 250 ms', met: Number.isFinite(p99.median) && p99.median <= 250 } : {}) });
    rows.push({ name: `B3 ${rate}/s: max POST→receipt`, unit: 'ms', value: s((r) => r.maxMs) });
    rows.push({ name: `B3 ${rate}/s: drain after the load`, unit: 's', value: drain, ...(judged ? { target: '≤ 5 s', met: drain.median <= 5 } : {}) });
  }
}

const fmtMs = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'not all arrived');

async function consent(): Promise<void> {
  const results = await measureConsentInChild(smoke ? 1 : Math.max(5, settings.rounds), smoke ? 50 : 400);
  raw.consent = results;
  for (const r of results) {
    if (!(r.opsPerSecond.median > 0)) failures.push(`B4 at ${r.bases} bases: no decision made`);
    rows.push({ name: `B4 consent decide+project, ${r.bases} bases (one core)`, unit: 'ops/s', value: r.opsPerSecond, ...(r.bases === 20 ? { target: '≥ 100,000/s', met: r.opsPerSecond.median >= 100_000 } : {}) });
  }
}

/** B1, B2 and B5 again at 10× and 100× the base database; the curve is judged smallest to largest. */
async function growth(world: World, targets: () => Promise<Targets>, sql: postgres.Sql, base: Rounds, serving: ServingProcesses): Promise<void> {
  const levels: [string, Size][] = [['10×', { referrals: settings.base.referrals * 10, participants: settings.base.participants }], ['100×', { referrals: settings.base.referrals * 100, participants: settings.base.participants }]];
  const curve: Record<string, Rounds> = { '1×': base };
  for (const [label, size] of levels) {
    log(`growth: to ${size.referrals.toLocaleString('en-US')} referrals`);
    await timed(`seed ${label}`, () => growTo(sql, world, size, log));
    log(`  now ${JSON.stringify(await seededSize(sql, world))}`);
    // B0 in every round too: the machine's load moves between levels, and each scenario's ratio to
    // B0 in the same round cancels it out where absolute figures cannot.
    curve[label] = await throughputRounds(['B0', ...['B1', 'B2', 'B5'].filter((id) => only.has(id as Scenario))] as ThroughputId[], targets, sql, `growth ${label}`, serving);
  }
  raw.growth = curve;
  for (const id of ['B1', 'B2', 'B5'] as ThroughputId[]) {
    if (!base[id]) continue;
    for (const label of ['10×', '100×']) rows.push({ name: `${THROUGHPUT_LABELS[id]}, database ${label}`, unit: 'req/s', value: perSecond(curve[label]![id]) });
    const change = perSecond(curve['100×']![id]).median / perSecond(base[id]).median;
    rows.push({ name: `${id} growth: 100× ÷ 1×`, unit: '×', value: spread([change]), note: 'absolute req/s: moves with the machine\'s load' });
    const relative = ratio(curve['100×']![id], curve['100×']!.B0).median / ratio(base[id], base.B0).median;
    rows.push({ name: `${id} growth: (${id} ÷ B0 at 100×) ÷ (${id} ÷ B0 at 1×)`, unit: '×', value: spread([relative]), target: '≥ 0.8', met: relative >= 0.8 });
  }
}

/**
 * B6: the indicators report for the past year grouped by race, one request at a time, at
 * 1,000,000 referrals (the database is grown to that first unless --growth already did).
 */
async function indicators(world: World, api: BenchApi, hub: RunningHubProcesses, sql: postgres.Sql): Promise<void> {
  const size = { referrals: settings.indicatorReferrals, participants: settings.base.participants };
  if ((await seededSize(sql, world)).referrals < size.referrals) {
    log(`B6: growing to ${size.referrals.toLocaleString('en-US')} referrals`);
    await timed('seed B6', () => growTo(sql, world, size, log));
  }
  const { referrals } = await seededSize(sql, world);
  const origin = hub.origins()[0]!;
  const range = pastYear();
  const ms: number[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const token = await api.token(world.manager.clientId, world.manager.key);
    const ungrouped = await timeReport(origin, token, range, 'none');
    for (let i = 0; i < settings.indicatorRequests; i++) {
      const byRace = await timeReport(origin, token, range, 'race');
      const wrong = i === 0 ? await checkIndicators(sql, byRace, ungrouped, range) : byRace.status === 200 ? undefined : `HTTP ${byRace.status}`;
      if (wrong) {
        failures.push(`B6: ${wrong}`);
        return;
      }
      ms.push(byRace.ms);
    }
    log(`B6 round ${round}: ${ms.slice(-settings.indicatorRequests).map((m) => Math.round(m)).join(', ')} ms (ungrouped ${Math.round(ungrouped.ms)} ms)`);
  }
  raw.indicators = { referrals, range, ms };
  const value = spread(ms);
  rows.push({
    name: `B6 indicators, a year by race, ${referrals.toLocaleString('en-US')} referrals`, unit: 'ms', value,
    note: `${ms.length} request(s), one at a time`, target: '≤ 500 ms', met: value.median <= 500,
  });
}

/**
 * B7: the console's main pages as their people see them, signed in over HTTP, each fetched warm
 * (a few requests not counted first) one at a time; per page the median of each round, judged on
 * the median of those against 200 ms.
 */
async function consoleLatency(world: World, api: BenchApi, hub: RunningHubProcesses, adminToken: string): Promise<void> {
  const origin = hub.origins()[0]!;
  const sessions = await signInStaff(api, adminToken, world);
  const pages = consolePages(world);
  const ms = new Map<string, number[][]>(pages.map((p) => [p.name, []]));
  // A broken page is reported and left out of the later rounds; the other pages go on being measured.
  const broken = new Set<string>();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const page of pages.filter((p) => !broken.has(p.name))) {
      const times: number[] = [];
      for (let i = 0; i < settings.pageWarmups + settings.pageRequests && !broken.has(page.name); i++) {
        const { ms: took, wrong } = await timePage(origin, sessions, page);
        if (wrong) {
          failures.push(`B7: ${wrong}`);
          broken.add(page.name);
        } else if (i >= settings.pageWarmups) times.push(took);
      }
      if (!broken.has(page.name)) ms.get(page.name)!.push(times);
    }
    const measured = pages.filter((p) => !broken.has(p.name));
    log(`B7 round ${round}, medians: ${measured.map((p) => `${p.name} ${Math.round(spread(ms.get(p.name)!.at(-1)!).median)} ms`).join(', ')}`);
  }
  raw.consolePages = Object.fromEntries(pages.map((p) => [p.name, { path: p.path, ms: ms.get(p.name)! }]));
  for (const page of pages) {
    const rounds = ms.get(page.name)!;
    if (broken.has(page.name) || rounds.length === 0) continue;
    const all = rounds.flat().sort((a, b) => a - b);
    const value = spread(rounds.map((times) => spread(times).median));
    rows.push({
      name: `B7 console ${page.name}${page.role ? ` (${page.role})` : ''}`, unit: 'ms', value,
      note: `medians of ${rounds.length} round(s) of ${settings.pageRequests}; fastest ${Math.round(all[0]!)} ms, p99 ${Math.round(quantile(all, 0.99))} ms`,
      target: '≤ 200 ms', met: value.median <= 200,
    });
  }
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  raw[`${what} seconds`] = (Date.now() - started) / 1000;
  return result;
}

await main();
