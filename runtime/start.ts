import { serve, type ServerType } from '@hono/node-server';
import type { Worker } from 'bullmq';
import { readJsonOrFile, type Config } from '../config/config.js';
import { parseDataKeys } from '../crypto/data-keys.js';
import { loadSigningKeys } from '../crypto/signing-keys.js';
import { connect, ensureDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { closeOutboundAgents } from '../lib/net/outbound.js';
import { createApp } from '../gateway/app.js';
import type { Hub } from '../services/hub.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createMetrics } from '../lib/metrics.js';
import { forgetExpiredAssertions } from '../store/clients.js';
import { startDeliveryWorker } from '../workers/delivery.js';
import { createDeliveryQueue, createStatusPollQueue, redisConnection } from '../lib/queues.js';
import { startRelay } from '../workers/relay.js';
import { startStatusPolling } from '../workers/status-poll.js';
import { BasisCache } from '../services/basis-cache.js';
import { OrganizationCache } from '../services/organization-cache.js';
import { RelayWake } from '../services/relay-wake.js';
import { startConsentSweep } from '../workers/consent-sweep.js';
import { startSlaSweep } from '../workers/sla-sweep.js';
import { startAuditSequencer, startAuditVerifier } from '../workers/audit-sequencer.js';
import { startReportCodesBackfill } from '../workers/report-codes.js';
import { startupSummary } from './startup-summary.js';

export interface RunningHub {
  hub: Hub;
  /** The gateway's base URL, when this process runs the gateway. */
  url: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The time the hub decides at (lib/clock.ts); the system clock unless a test moves its own. */
  clock?: Clock;
}

/**
 * Starts the parts of the hub that `HUB_ROLE` names, on the services and keys `config` names.
 */
export async function startHub(config: Config, logger: Logger = createLogger(config.LOG_LEVEL), options: StartOptions = {}): Promise<RunningHub> {
  const { clock = systemClock } = options;
  // Development defaults (local services, generated keys) are filled in by bin/hub.ts before this
  // runs (dev/local-defaults.ts); production configures everything, and parseConfig insists.
  const { databaseUrl, redisUrl } = config;
  const missing = [
    ['DATABASE_URL', databaseUrl], ['REDIS_URL', redisUrl], ['HUB_SIGNING_JWKS', config.HUB_SIGNING_JWKS], ['HUB_DATA_KEYS', config.HUB_DATA_KEYS],
  ].filter(([, value]) => !value).map(([name]) => name);
  if (missing.length > 0) throw new Error(`the hub needs ${missing.join(', ')} (npm start fills them in outside production)`);
  const adminJwks = config.HUB_ADMIN_JWKS ? (readJsonOrFile('HUB_ADMIN_JWKS', config.HUB_ADMIN_JWKS) as { keys: unknown[] }) : undefined;

  if (!config.production) await ensureDatabase(databaseUrl!);
  const sql = connect(databaseUrl!, { max: config.HUB_DB_POOL_SIZE });
  await migrate(sql);

  const redis = redisConnection(redisUrl!);
  const hub: Hub = {
    config,
    sql,
    redis,
    deliveries: createDeliveryQueue(redis, config.HUB_QUEUE_PREFIX),
    statusPolls: createStatusPollQueue(redis, config.HUB_QUEUE_PREFIX),
    keyring: parseDataKeys(config.HUB_DATA_KEYS!),
    signingKeys: await loadSigningKeys(readJsonOrFile('HUB_SIGNING_JWKS', config.HUB_SIGNING_JWKS!)),
    adminJwks,
    logger,
    metrics: createMetrics(),
    bases: new BasisCache(sql),
    clock,
    organizations: new OrganizationCache(sql),
    relayWake: new RelayWake(sql, logger),
  };
  await hub.bases.listen();
  await hub.organizations.listen();

  const stops: (() => Promise<void>)[] = [];
  let url: string | undefined;
  if (config.HUB_ROLE !== 'worker') {
    const app = createApp(hub);
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    url = `http://127.0.0.1:${port}`;
    logger.info({ host: config.HOST, port, publicUrl: config.publicUrl }, 'gateway listening');
    // SIGTERM drains: stop accepting, let requests in flight finish.
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }
  if (config.HUB_ROLE !== 'gateway') {
    const relay = await startRelay(hub);
    const workerConnection = redisConnection(redisUrl!);
    const worker: Worker = startDeliveryWorker(hub, workerConnection);
    const pollConnection = redisConnection(redisUrl!);
    const polling = startStatusPolling(hub, pollConnection);
    const consentSweep = startConsentSweep(hub);
    const slaSweep = startSlaSweep(hub);
    const auditSequencer = startAuditSequencer(hub);
    const auditVerifier = startAuditVerifier(hub);
    const reportCodes = startReportCodesBackfill(hub);
    const sweep = setInterval(() => {
      forgetExpiredAssertions(sql).catch((error: Error) => logger.warn({ err: error.message }, 'assertion sweep failed'));
    }, 60_000);
    sweep.unref();
    stops.push(async () => {
      clearInterval(sweep);
      await consentSweep.stop();
      await slaSweep.stop();
      await auditSequencer.stop();
      await auditVerifier.stop();
      await reportCodes.stop();
      await relay.stop();
      // Finishes the jobs in progress; what it has not started stays in Redis and in the outbox.
      await worker.close();
      await polling.stop();
      await workerConnection.quit().catch(() => {});
      await pollConnection.quit().catch(() => {});
    });
    logger.info('workers running');
  }
  const summary = startupSummary({ config, databaseUrl: databaseUrl!, redisUrl: redisUrl!, gateway: config.HUB_ROLE !== 'worker', consolePath: '/console' });
  logger.info(summary.fields, summary.message);

  return {
    hub,
    url,
    async stop() {
      for (const stop of stops) await stop();
      await hub.bases.stop();
      await hub.organizations.stop();
      await hub.relayWake.settled();
      await hub.deliveries.close();
      await hub.statusPolls.close();
      await redis.quit().catch(() => {});
      await closeOutboundAgents();
      await sql.end({ timeout: 5 });
    },
  };
}
