import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import type { DataKeyring } from '../crypto/data-keys.js';
import type { SigningKeys } from '../crypto/signing-keys.js';
import type { Sql } from '../db/connect.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { BasisCache } from './basis-cache.js';
import type { OrganizationCache } from './organization-cache.js';
import type { RelayWake } from './relay-wake.js';

/**
 * Everything a use case needs, built once at start-up by runtime/ (the wiring) and handed to the
 * gateway and the workers, which pass it to the services. Services take the narrowest `Pick` of
 * it they need.
 */
export interface Hub {
  config: Config;
  sql: Sql;
  redis: Redis;
  deliveries: Queue;
  /** Status polls of partners that do not call the hub (FHIR); the gateway adds one on a rest-hook notification. */
  statusPolls: Queue;
  keyring: DataKeyring;
  signingKeys: SigningKeys;
  adminJwks: { keys: unknown[] } | undefined;
  logger: Logger;
  metrics: Metrics;
  /** Participants' consent bases, cached and invalidated on every consent change. */
  bases: BasisCache;
  /** The time every decision is taken at (lib/clock.ts): the system clock, except under test. */
  clock: Clock;
  /** Organisations by id, cached and invalidated on every change (services/organization-cache.ts). */
  organizations: OrganizationCache;
  /** Wakes the outbox relay after a commit that wrote due rows (services/relay-wake.ts). */
  relayWake: RelayWake;
}
