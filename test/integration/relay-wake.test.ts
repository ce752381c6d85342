import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../db/coordination.js';
import { RelayWake } from '../../services/relay-wake.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { eventually } from '../support/hub.js';

const quiet = { debug: () => {} };

describe('the relay is woken after the commit, coalesced, and directly when it runs in the same process', () => {
  let db: TestDatabase;
  const heard: string[] = [];
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    ({ unlisten } = await db.sql.listen(CHANNELS.outbox, (payload) => heard.push(payload)));
  });
  afterAll(async () => {
    await unlisten?.();
    await db?.drop();
  });

  /** Every notice sent before this one has arrived once the marker has (one session, in order). */
  async function noticesUntilMarker(marker: string): Promise<number> {
    await db.sql`SELECT pg_notify(${CHANNELS.outbox}, ${marker})`;
    await eventually(async () => (heard.includes(marker) ? true : undefined), 5000, `the ${marker} notice`);
    const count = heard.slice(0, heard.indexOf(marker)).filter((p) => p === '').length;
    heard.splice(0, heard.indexOf(marker) + 1);
    return count;
  }

  it('sends one notice, and at most one more, for a burst of wakes from many intakes', async () => {
    const wakes = new RelayWake(db.sql, quiet);
    for (let i = 0; i < 200; i++) wakes.wake();
    await wakes.settled();
    const sent = await noticesUntilMarker('after-burst');
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2);

    // A later wake, after the burst has gone out, is sent too: none is swallowed.
    wakes.wake();
    await wakes.settled();
    expect(await noticesUntilMarker('after-one')).toBe(1);
  });

  it('wakes a relay in its own process directly, sending nothing, until the relay detaches', async () => {
    const wakes = new RelayWake(db.sql, quiet);
    let woken = 0;
    const detach = wakes.attach(() => (woken += 1));
    wakes.wake();
    wakes.wake();
    await wakes.settled();
    expect(woken).toBe(2);
    expect(await noticesUntilMarker('while-attached')).toBe(0);

    detach();
    wakes.wake();
    await wakes.settled();
    expect(woken).toBe(2);
    expect(await noticesUntilMarker('after-detach')).toBe(1);
  });
});
