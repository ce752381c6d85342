import { afterAll } from 'vitest';
import { cleanUpFile } from './cleanup.js';
import { TEST_REDIS_URL } from './db.js';

// A setup file: registered before the test file's own hooks, so it runs after them (vitest runs
// afterAll hooks in reverse order), once the file's hubs have stopped writing to Redis.
afterAll(() => cleanUpFile(TEST_REDIS_URL));
