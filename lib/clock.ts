/**
 * The hub's time for what it decides: whether a consent's period has begun or ended, whether an
 * SLA deadline has passed, how old a participant is, whether a partner's timestamp lies in the
 * future. Every such decision reads one clock, handed to the services on the Hub, so that a test
 * can move it instead of waiting for real time to pass.
 *
 * What only measures real time keeps the system clock, because it is about the machine, not the
 * case: access-token and client-assertion lifetimes (gateway/auth, checked by jose against real
 * time, as the token's issuer and every other verifier do), retry back-off, relay and claim
 * leases (store/outbox.ts), rate windows, and the stamps PostgreSQL's `now()` writes on rows.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock a test moves. It runs with real time plus an offset that only `advance` and `set`
 * change, so rows stamped by PostgreSQL's `now()` during a test (created_at, delivered_at) stay in
 * order with it, and a consent whose period starts "now" in the test's real time has begun for it.
 */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves time forward by `ms` (a negative value moves it back, for a test that needs the past). */
  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }

  /** From now on the clock reads `at`, running on from there. */
  set(at: Date): Date {
    this.offsetMs = at.getTime() - Date.now();
    return this.now();
  }

  /**
   * Back to real time, so that the next test in a file starts where the database's stamps are.
   * Only for tests that share one hub: a running hub never sees its time go back.
   */
  reset(): Date {
    this.offsetMs = 0;
    return this.now();
  }
}
