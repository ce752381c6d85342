import { ConfigError, parseConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { withLocalDefaults } from '../dev/local-defaults.js';
import { startHub } from '../runtime/start.js';

/** `npm start`: the gateway and the workers (HUB_ROLE), with local defaults outside production. */
let config;
try {
  config = parseConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger(config.LOG_LEVEL);
let running;
try {
  running = await startHub(await withLocalDefaults(config, logger), logger);
} catch (error) {
  logger.fatal({ err: { message: (error as Error).message } }, 'the hub could not start');
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
