import http from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';
import { freePort, type HubProcess } from '../support/process-hub.js';
import { allDelivered, faultEnv, inParallel, postReferral, referralBody, setUpReferrals, signalAndWait, startGateway, startPartner, startWorker, summary, tally, type Partner, type Setup, showLogsOnFailure } from './support.js';

const IN_FLIGHT = 20;
const EXIT_BOUND_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A POST /v1/referrals whose body is sent in two halves, so the request is surely in flight (its
 * headers read by the gateway, its body not yet complete) when the test wants it to be.
 */
function halfSentPost(s: Setup, port: number) {
  const body = Buffer.from(JSON.stringify(referralBody(s)));
  let settle!: (r: { status: number | 'error'; id?: string; error?: string }) => void;
  const result = new Promise<{ status: number | 'error'; id?: string; error?: string }>((resolve) => (settle = resolve));
  const request = http.request({
    host: '127.0.0.1', port, method: 'POST', path: '/v1/referrals', agent: false,
    headers: { authorization: `Bearer ${s.planner}`, 'content-type': 'application/json', 'content-length': body.length },
  });
  request.on('response', (response) => {
    let text = '';
    response.on('data', (c: Buffer) => (text += c.toString()));
    response.on('end', () => settle({ status: response.statusCode!, id: (JSON.parse(text) as { id?: string }).id }));
  });
  request.on('error', (error) => settle({ status: 'error', error: (error as NodeJS.ErrnoException).code ?? error.message }));
  const connected = new Promise<void>((resolve) => request.on('socket', (socket) => socket.once('connect', () => resolve())));
  request.write(body.subarray(0, body.length >> 1));
  return { connected, finish: () => request.end(body.subarray(body.length >> 1)), result };
}

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

/**
 * Fault 5: SIGTERM. The gateway, with requests in flight, stops taking new connections, answers
 * every request it had accepted, and exits 0. A worker with deliveries in progress (a partner
 * that takes 1 s to answer) finishes them, leaves the jobs it had not started to the next worker,
 * and exits 0; nothing is lost and nothing is sent under a second webhook-id.
 */
describe('fault: SIGTERM drains the gateway and the worker', () => {
  let db: TestDatabase;
  let partner: Partner;
  const processes: HubProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    partner = await startPartner();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await partner?.receiver.close();
    await db?.drop();
  });

  it('lets a worker finish or release its deliveries, and the gateway answer what it accepted', async () => {
    showLogsOnFailure(processes);
    const port = await freePort();
    const { env, adminKey, publicUrl } = await faultEnv(db.url, port, { HUB_RELAY_LEASE_SECONDS: '2' });
    const [gateway, firstWorker] = await Promise.all([startGateway(env, port), startWorker(env)]);
    processes.push(gateway, firstWorker);
    const s = await setUpReferrals(gateway.url, publicUrl, adminKey, [partner.url]);

    // The worker: 20 deliveries to a partner that takes 1 s per answer, SIGTERM once some are in progress.
    let started = Date.now();
    partner.behaviour = () => sleep(1_000).then(() => 204);
    const batch = (await inParallel(20, 4, () => postReferral(s))).map((r) => {
      expect(r.status).toBe(201);
      return r.body.id as string;
    });
    await eventually(async () => (partner.receiver.received.length > 0 ? true : undefined), 10_000, 'a delivery in progress');
    const inProgress = partner.receiver.received.length;
    const worker = await signalAndWait(firstWorker, 'SIGTERM');
    const deliveredByDrainingWorker = batch.filter((id) => partner.acked.has(id)).length;
    const secondWorker = await startWorker(env);
    processes.push(secondWorker);
    await eventually(async () => (allDelivered(batch, [partner]) ? true : undefined), 20_000, 'every referral delivered by the next worker');
    const workerCounts = tally(batch, [partner]);
    summary(
      `SIGTERM to a worker with ${inProgress} deliveries in progress (partner answers after 1 s), ${batch.length} queued`,
      `exit 0 within ${EXIT_BOUND_MS / 1000} s after finishing what it started; the next worker delivers the rest, one webhook-id each`,
      { ...workerCounts, exitCode: worker.code, exitMs: worker.ms, deliveredByDrainingWorker },
      started,
    );
    expect(worker.code).toBe(0);
    expect(worker.ms).toBeLessThan(EXIT_BOUND_MS);
    // Everything it had started, it finished: the partner acknowledged each one it had received.
    expect(deliveredByDrainingWorker).toBeGreaterThanOrEqual(inProgress);
    expect({ sent: workerCounts.sent, delivered: workerCounts.delivered, duplicates: workerCounts.duplicates, lost: workerCounts.lost }).toEqual({
      sent: batch.length,
      delivered: batch.length,
      duplicates: 0,
      lost: 0,
    });

    // The gateway: 20 requests in flight (headers and half of each body read), then SIGTERM.
    started = Date.now();
    partner.behaviour = () => 204;
    const requests = Array.from({ length: IN_FLIGHT }, () => halfSentPost(s, port));
    await Promise.all(requests.map((r) => r.connected));
    await sleep(200);
    const exit = signalAndWait(gateway, 'SIGTERM');
    // New connections are refused as soon as the gateway has heard the signal.
    const afterSignal = await eventually(async () => {
      const outcome = await refused(port);
      return outcome === 'ECONNREFUSED' ? outcome : undefined;
    }, 3_000, 'new connections to be refused');
    for (const r of requests) r.finish();
    const results = await Promise.all(requests.map((r) => r.result));
    const { code, ms } = await exit;
    const answered = results.filter((r) => r.status === 201).map((r) => r.id!);
    await eventually(async () => (allDelivered(answered, [partner]) ? true : undefined), 20_000, 'every answered referral delivered');
    const gatewayCounts = tally(answered, [partner], batch);
    summary(
      `SIGTERM to the gateway with ${IN_FLIGHT} POSTs in flight`,
      `new connections refused, every accepted request answered 201, exit 0 within ${EXIT_BOUND_MS / 1000} s`,
      { ...gatewayCounts, inFlight: IN_FLIGHT, answered201: answered.length, newConnection: afterSignal, exitCode: code, exitMs: ms },
      started,
    );
    expect(results.map((r) => r.status)).toEqual(requests.map(() => 201));
    expect(afterSignal).toBe('ECONNREFUSED');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXIT_BOUND_MS);
    expect({ sent: gatewayCounts.sent, delivered: gatewayCounts.delivered, duplicates: gatewayCounts.duplicates, lost: gatewayCounts.lost }).toEqual({
      sent: IN_FLIGHT,
      delivered: IN_FLIGHT,
      duplicates: 0,
      lost: 0,
    });
  });
});
