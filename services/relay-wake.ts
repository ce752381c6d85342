import type { Sql } from '../db/connect.js';
import { CHANNELS } from '../db/coordination.js';
import type { Logger } from '../lib/logger.js';

/**
 * Wakes the outbox relay after a commit that wrote due rows, instead of a NOTIFY inside the
 * writing transaction. PostgreSQL serialises the commits of every transaction that sent NOTIFY
 * (one lock on the notification queue, held through the commit's WAL flush), so a NOTIFY in each
 * intake made all intakes commit one at a time, whatever the number of gateways: the single
 * writer the audit lock used to be. Here the wake is its own statement, sent after the commit,
 * and coalesced: while one is on its way, any number of further wakes make one more, not many.
 * In a process that runs the relay itself, the relay is woken directly and nothing is sent.
 *
 * A wake lost to a crash between commit and wake costs latency, not data: the relay polls.
 */
export class RelayWake {
  private sending: Promise<void> | undefined;
  private again = false;
  private local: (() => void) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly logger: Pick<Logger, 'debug'>,
  ) {}

  /** The relay of this process: woken directly from now on. Returns a detach. */
  attach(wake: () => void): () => void {
    this.local = wake;
    return () => {
      if (this.local === wake) this.local = undefined;
    };
  }

  /** After a commit that wrote a due outbox row. Never throws, never waits. */
  wake(): void {
    if (this.local) return this.local();
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.send();
  }

  /** Lets a wake on its way finish (before the connection pool closes). */
  async settled(): Promise<void> {
    await this.sending;
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.sql`SELECT pg_notify(${CHANNELS.outbox}, '')`;
      } catch (error) {
        this.logger.debug({ err: (error as Error).message }, 'relay wake not sent; the relay polls');
      }
    } while (this.again);
    this.sending = undefined;
  }
}
