import type { ParticipantPlan, ReferralPlan } from './plan.js';

/** One referral the demo created or found, and how far its partner has come along its path. */
export interface Tracked {
  referralId: string;
  participant: ParticipantPlan;
  referral: ReferralPlan;
  /** Steps of the path already posted (or written onto the partner's FHIR Task). */
  stepsDone: number;
  /** The partner has it (delivered) and its simulator took it on. */
  handedOver: boolean;
  settled: boolean;
  /** Why it ended short of its path, when it did (an event the state machine refused). */
  stoppedBy?: string;
}

/**
 * The referrals whose partners still have something to do. The demo waits on it before it
 * revokes, back-dates and prints: every planned path posted, or the reason it stopped.
 */
export class Tracker {
  private readonly items = new Map<string, Tracked>();
  /** Referrals a partner was told of before the demo tracked them (see `toldBeforeTracked`). */
  private readonly toldEarly = new Set<string>();
  private readonly waiters = new Set<() => void>();
  private lastProgress = Date.now();

  /** One more step of the referral's path is done. */
  advanced(t: Tracked): void {
    t.stepsDone++;
    this.lastProgress = Date.now();
  }

  add(t: Omit<Tracked, 'stepsDone' | 'handedOver' | 'settled'>): Tracked {
    const tracked: Tracked = { ...t, stepsDone: 0, handedOver: false, settled: false };
    this.items.set(t.referralId, tracked);
    return tracked;
  }

  get(referralId: string): Tracked | undefined {
    return this.items.get(referralId);
  }

  /**
   * Whether a partner was told of the referral before it was tracked: the hub commits a referral,
   * answers 201 and delivers it at once, so a busy demo may read the webhook before that 201.
   * True once; the caller then takes it on for the partner.
   */
  toldBeforeTracked(referralId: string): boolean {
    return this.toldEarly.delete(referralId);
  }

  /** Takes the referral on for its partner once: undefined when it was already taken (a redelivery) or is not tracked yet. */
  handOver(referralId: string): Tracked | undefined {
    const t = this.items.get(referralId);
    if (!t) {
      this.toldEarly.add(referralId);
      return undefined;
    }
    if (t.handedOver || t.settled) return undefined;
    t.handedOver = true;
    return t;
  }

  settle(t: Tracked, stoppedBy?: string): void {
    t.settled = true;
    this.lastProgress = Date.now();
    if (stoppedBy) t.stoppedBy = stoppedBy;
    for (const wake of this.waiters) wake();
  }

  unsettled(): Tracked[] {
    return [...this.items.values()].filter((t) => !t.settled);
  }

  all(): Tracked[] {
    return [...this.items.values()];
  }

  /**
   * Resolves when every tracked referral has settled, or with those that have not at the
   * deadline or once nothing moved for `idleMs` (deliveries the hub is still retrying).
   */
  async settled(timeoutMs: number, idleMs = 20_000): Promise<Tracked[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.unsettled().length > 0 && Date.now() < deadline && Date.now() - this.lastProgress < idleMs) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 500);
        this.waiters.add(wake);
      });
    }
    return this.unsettled();
  }
}
