import type { ActivitySlotInfo, CustomSlotSupplier, SlotPermit } from '@temporalio/worker';

/** After the last live batch ends, the background stays narrow this long: live events come in bursts. */
export const QUIET_MS = 1000;

/**
 * Live events before background refreshes, in one worker process. Slots only
 * bound how many refreshes run at once, not how much of the machine they take:
 * at 100,000 people, four of them kept both cores busy and live events waited
 * seconds behind them. So while a batch of events is being applied here, or
 * was within `QUIET_MS`, the background queue's worker takes one task at a
 * time; otherwise as many as its slots. The tasks it does not take wait on the
 * server, where a refresh whose account gets events is withdrawn at once.
 */
export class LiveFirst {
  private applying = 0;
  private lastLiveAt = -Infinity;
  private issued = 0;
  private waiting: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly slots: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs a live batch; the background narrows while it runs and for `QUIET_MS` after. */
  async live<T>(run: () => Promise<T>): Promise<T> {
    this.applying += 1;
    try {
      return await run();
    } finally {
      this.applying -= 1;
      this.lastLiveAt = this.now();
      this.wake();
    }
  }

  /** How many background tasks may hold a slot now. */
  width(): number {
    return this.applying > 0 || this.now() - this.lastLiveAt < QUIET_MS ? 1 : this.slots;
  }

  /** The background queue's activity slots, handed out by `width()`. */
  slotSupplier(): CustomSlotSupplier<ActivitySlotInfo> {
    return {
      type: 'custom',
      reserveSlot: (_ctx, abortSignal) => this.reserve(abortSignal),
      tryReserveSlot: () => this.tryIssue(),
      markSlotUsed: () => undefined,
      releaseSlot: () => {
        this.issued -= 1;
        this.wake();
      },
    };
  }

  private tryIssue(): SlotPermit | null {
    if (this.issued >= this.width()) return null;
    this.issued += 1;
    return {};
  }

  /** Rejects with the signal's own reason when the worker withdraws it, as the SDK expects. */
  private reserve(abortSignal: AbortSignal): Promise<SlotPermit> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        if (abortSignal.aborted) return reject(abortSignal.reason);
        const permit = this.tryIssue();
        if (!permit) return this.waiting.push(attempt);
        abortSignal.removeEventListener('abort', onAbort);
        resolve(permit);
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== attempt);
        reject(abortSignal.reason);
      };
      abortSignal.addEventListener('abort', onAbort, { once: true });
      attempt();
      if (this.waiting.includes(attempt)) this.wakeWhenQuiet();
    });
  }

  /** Lets waiting reservations try again; if the quiet time still runs, once more when it ends. */
  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const attempt of waiting) attempt();
    if (this.waiting.length > 0) this.wakeWhenQuiet();
  }

  private wakeWhenQuiet(): void {
    if (this.timer || this.applying > 0) return;
    const rest = this.lastLiveAt + QUIET_MS - this.now();
    if (rest <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wake();
    }, rest);
    this.timer.unref();
  }
}
