import { ConfigError, parseConfig } from '../config/config.js';
import { parseDataKeys } from '../crypto/data-keys.js';
import { reencryptAll } from '../store/data-key-rotation.js';
import { connect } from '../db/connect.js';

/**
 * `npm run rotate-data-keys`: after putting a new key first in HUB_DATA_KEYS (and restarting the
 * hub so new writes use it), re-encrypt what older keys still protect. Safe while the hub runs.
 */
try {
  const config = parseConfig();
  if (!config.HUB_DATA_KEYS || !config.databaseUrl) throw new ConfigError('set HUB_DATA_KEYS (new key first) and DATABASE_URL');
  const sql = connect(config.databaseUrl, { max: 2 });
  const keyring = parseDataKeys(config.HUB_DATA_KEYS);
  await reencryptAll(sql, keyring, 500, (r) => process.stdout.write(`${r.table}.${r.column}: ${r.reencrypted} of ${r.scanned} re-encrypted under ${keyring.currentKid}\n`));
  await sql.end();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
