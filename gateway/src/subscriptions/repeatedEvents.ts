/** How many events' first offsets the hub remembers to know an event met again. */
export const REMEMBERED_EVENTS = 10_000;

/**
 * Events the stream holds twice. The relay delivers at least once (a publish whose confirm was
 * lost is sent again), so one event can sit at two offsets; the subgraphs' inboxes drop the
 * second copy, and this does for subscribers: an event is a repeat when it was met before at a
 * lower offset. Remembers the first offset of the last `capacity` events met, the oldest
 * forgotten first, so a repeat further apart than that is delivered again.
 */
export class RepeatedEvents {
  private readonly firstOffsets = new Map<string, number>();

  constructor(private readonly capacity = REMEMBERED_EVENTS) {}

  /** Whether `id` at `offset` is a repeat; remembers it otherwise (a backlog read may meet a lower copy later). */
  isRepeat(id: string, offset: number): boolean {
    const first = this.firstOffsets.get(id);
    if (first !== undefined && first < offset) return true;
    if (first === undefined || offset < first) this.firstOffsets.set(id, offset);
    if (this.firstOffsets.size > this.capacity) this.firstOffsets.delete(this.firstOffsets.keys().next().value!);
    return false;
  }
}
