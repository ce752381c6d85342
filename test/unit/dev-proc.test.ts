import { describe, expect, it } from 'vitest';
import { INSTALL_HINT, findBinary, freePort, tcpAnswers } from '../../dev/proc.js';

describe('dev/proc', () => {
  it('tells how to install the servers, with the exact command and the Docker alternative', () => {
    expect(INSTALL_HINT).toContain('apt-get install -y postgresql redis-server');
    expect(INSTALL_HINT).toContain('docker compose up');
  });

  it('finds binaries on PATH and in extra dirs, and reports missing ones as undefined', () => {
    expect(findBinary('node')).toBeTruthy();
    expect(findBinary('no-such-binary-for-the-hub')).toBeUndefined();
    expect(findBinary('sh', ['/bin'])).toMatch(/\/sh$/);
  });

  it('hands out a port that nothing answers on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await tcpAnswers(port)).toBe(false);
  });
});
