/**
 * `npm run lock:fix` after any `npm install` that rewrites package-lock.json.
 *
 * The registry these machines reach does not serve msgpackr-extract's darwin/win32/linux-arm
 * builds (bullmq → msgpackr → optional msgpackr-extract), so npm leaves them out of the lock and
 * `npm ci` then refuses the lock as out of sync. They are optional, platform-specific and never
 * installed on Linux x64, so the entries only need to exist: this adds them back.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORMS: Record<string, [cpu: string, os: string]> = {
  'darwin-arm64': ['arm64', 'darwin'],
  'darwin-x64': ['x64', 'darwin'],
  'linux-arm': ['arm', 'linux'],
  'win32-x64': ['x64', 'win32'],
};

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, Record<string, unknown>> };
const extract = lock.packages['node_modules/msgpackr-extract'];
if (extract) {
  const version = String(extract.version);
  for (const [platform, [cpu, os]] of Object.entries(PLATFORMS)) {
    lock.packages[`node_modules/@msgpackr-extract/msgpackr-extract-${platform}`] ??= { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  }
  const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync('package-lock.json', `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
}
