import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { loadOrCreateDevAdminKey, loadOrCreateDevKeys } from './keys.js';
import { ensureLocalServices } from './local-services.js';

/**
 * What `npm start` fills in outside production, so that it works on a fresh machine with no
 * configuration: PostgreSQL and Redis on their usual local ports (or private ones started under
 * `HUB_DATA_DIR` when nothing answers), the hub's own keys and the bootstrap admin client's key,
 * generated once into `HUB_DATA_DIR` and reused. Production configures all of it (parseConfig
 * stops the start naming what is missing), so this never runs there.
 */
export async function withLocalDefaults(config: Config, logger: Logger): Promise<Config> {
  if (config.production) return config;
  let { databaseUrl, redisUrl } = config;
  if (!databaseUrl || !redisUrl) {
    const local = await ensureLocalServices({ databaseUrl, redisUrl, dataDir: config.HUB_DATA_DIR, log: (msg) => logger.info(msg) });
    databaseUrl = local.databaseUrl;
    redisUrl = local.redisUrl;
  }
  const keys = config.HUB_SIGNING_JWKS && config.HUB_DATA_KEYS ? undefined : await loadOrCreateDevKeys(config.HUB_DATA_DIR);
  let adminJwks = config.HUB_ADMIN_JWKS;
  if (!adminJwks) {
    const admin = await loadOrCreateDevAdminKey(config.HUB_DATA_DIR);
    adminJwks = JSON.stringify(admin.publicJwks);
    logger.info({ file: admin.file }, 'bootstrap admin key (development)');
  }
  return {
    ...config,
    databaseUrl,
    redisUrl,
    HUB_SIGNING_JWKS: config.HUB_SIGNING_JWKS ?? keys!.signingJwks,
    HUB_DATA_KEYS: config.HUB_DATA_KEYS ?? keys!.dataKeys,
    HUB_ADMIN_JWKS: adminJwks,
  };
}
