/** Own marks remembered at most; a mark that comes back after it was forgotten only counts less, a newer one will come. */
const MAX_PROBES = 32;

/**
 * Whether the gateway reads its stream within a deadline, judged by marks of its own it
 * writes into the stream (`probe`) and reads back (`heard`). The clock runs from when the last
 * mark that came back was sent, so it bounds both a link that reads nothing (half-open, no RST)
 * and a reader that lags behind. Times are `performance.now()` milliseconds: a wall-clock step
 * must not stall it or hide a stall.
 */
export class StreamLiveness {
  private readonly probes = new Map<string, number>();
  private lastHeardSentAt: number;
  private isStalled = false;

  constructor(
    readonly deadlineMs: number,
    now: number,
  ) {
    this.lastHeardSentAt = now;
  }

  get stalled(): boolean {
    return this.isStalled;
  }

  /** The reader is (again) positioned: nothing it sent before counts, and the clock starts now. */
  reset(now: number): void {
    this.probes.clear();
    this.lastHeardSentAt = now;
    this.isStalled = false;
  }

  /** A mark was written with this id. */
  sent(id: string, at: number): void {
    this.probes.set(id, at);
    if (this.probes.size > MAX_PROBES) this.probes.delete(this.probes.keys().next().value!);
  }

  /** An entry with this mark id was read; true when it ends a stall (every entry before it has been read). */
  /** Whether `id` is a mark this reader sent and has not yet heard back. */
  sentNotHeard(id: string): boolean {
    return this.probes.has(id);
  }

  heard(id: string): boolean {
    const sentAt = this.probes.get(id);
    if (sentAt === undefined) return false;
    for (const [probe, at] of this.probes) if (at <= sentAt) this.probes.delete(probe);
    this.lastHeardSentAt = Math.max(this.lastHeardSentAt, sentAt);
    if (!this.isStalled) return false;
    this.isStalled = false;
    return true;
  }

  /** True when the deadline has passed since the last mark that came back was sent, and it was not yet reported. */
  overdue(now: number): boolean {
    return !this.isStalled && now - this.lastHeardSentAt > this.deadlineMs;
  }

  stall(): void {
    this.isStalled = true;
  }
}
