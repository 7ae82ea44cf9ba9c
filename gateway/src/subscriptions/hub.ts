import type { Logger } from '@potluck/service';
import type { StreamPosition } from './cursor.js';
import { cursorExpired, streamUnavailable, SubscriptionEnded } from './ended.js';
import { RepeatedEvents } from './repeatedEvents.js';
import { matches, SUBSCRIPTION_FIELDS, type EventFilter } from './subscriptionFields.js';
import type { StreamEntry } from './streamMessages.js';
import type { CatchUp, EventEntry, StreamReader } from './streamReader.js';

/** One subscriber as the hub sees it: what it wants, where it starts, and where its events go. */
export interface Subscriber {
  filter: EventFilter;
  after: StreamPosition | undefined;
  /** One matching event, in order; `catchingUp` while it comes from the subscriber's backlog. */
  deliver(entry: EventEntry, how: { catchingUp: boolean }): void;
  /** While reading a backlog: undefined to go on, or a promise to wait for (the client is behind). */
  ready?(): Promise<void> | undefined;
  end(reason: SubscriptionEnded): void;
}

interface Member {
  subscriber: Subscriber;
  /** The offset of the last entry this member has seen: it receives only later ones. */
  last: number;
  /** Catching up: the first live offset seen since it joined, and the live events buffered from there. */
  liveFrom?: number;
  buffer: EventEntry[];
  catchUp?: CatchUp;
  /** Catching up, and its cursor's own event was found where the cursor says. */
  verified?: boolean;
}

/** Live events kept per resuming subscriber while it reads the backlog; past this it keeps reading instead. */
const MAX_HANDOVER_BUFFER = 1000;
/** How long a cursor's own event may take to arrive before the cursor is refused as unknown. */
const CURSOR_CHECK_MS = 10_000;
const POSITION_WAIT_MS = 5000;
/** How long a backlog read that lost the broker waits for it to come back before the subscription ends (resumably). */
const BROKER_RETURN_MS = 30_000;
const REREAD_RETRY_MS = 500;
/** When every backlog reader is taken: how long a resuming client is told to wait before it tries again. */
const BUSY_RETRY_AFTER_S = 5;

const keyOf = (filter: EventFilter) => `${filter.field.eventType}\n${filter.key}`;

/**
 * The fan-out: one live reader for the whole gateway, its events handed to the subscribers
 * whose filter matches (an index by type and key, so an event nobody wants costs one lookup).
 * A subscriber with `after` first reads the backlog with a reader of its own, from its
 * cursor; the live events meanwhile are buffered, and once the backlog reaches the first of
 * them it switches to live. Every member receives each offset at most once, in order.
 * Each backlog read is a broker stream consumer, so at most `maxCatchUps` run at once;
 * a resume past that ends at once with SUBSCRIPTIONS_BUSY (resumable, with `retryAfter`).
 */
export class SubscriptionHub {
  private readonly live = new Map<string, Set<Member>>();
  private readonly catchingUp = new Set<Member>();
  private readonly repeated = new RepeatedEvents();
  private catchUps = 0;

  constructor(
    private readonly reader: StreamReader,
    private readonly logger: Logger,
    private readonly maxCatchUps = 64,
  ) {
    reader.onEntry((entry) => this.onLive(entry));
    reader.onGap((position, firstSeen) => this.onGap(position, firstSeen));
  }

  get size(): number {
    let count = this.catchingUp.size;
    for (const members of this.live.values()) count += members.size;
    return count;
  }

  /** Starts delivering to `subscriber`; the returned function stops it. */
  async add(subscriber: Subscriber): Promise<() => Promise<void>> {
    if (subscriber.after) return this.addResuming(subscriber, subscriber.after);
    const position = await this.reader.whenPositioned(POSITION_WAIT_MS);
    if (position === undefined) {
      throw new SubscriptionEnded(
        'STREAM_UNAVAILABLE',
        'The event stream is not reachable right now; try again shortly',
        true,
      );
    }
    const member: Member = { subscriber, last: this.reader.current!, buffer: [] };
    this.joinLive(member);
    return async () => this.leaveLive(member);
  }

  private joinLive(member: Member): void {
    const key = keyOf(member.subscriber.filter);
    let members = this.live.get(key);
    if (!members) this.live.set(key, (members = new Set()));
    members.add(member);
  }

  private leaveLive(member: Member): void {
    const key = keyOf(member.subscriber.filter);
    const members = this.live.get(key);
    members?.delete(member);
    if (members?.size === 0) this.live.delete(key);
  }

  /** Takes a backlog reader slot, or throws SUBSCRIPTIONS_BUSY; the returned function gives it back once. */
  private takeCatchUpSlot(): () => void {
    if (this.catchUps >= this.maxCatchUps) {
      throw new SubscriptionEnded(
        'SUBSCRIPTIONS_BUSY',
        `Too many subscriptions are reading their backlog; subscribe again with the same after in ${BUSY_RETRY_AFTER_S} s`,
        true,
        { retryAfter: String(BUSY_RETRY_AFTER_S) },
      );
    }
    this.catchUps++;
    let freed = false;
    return () => {
      if (!freed) this.catchUps--;
      freed = true;
    };
  }

  private async addResuming(subscriber: Subscriber, after: StreamPosition): Promise<() => Promise<void>> {
    const free = this.takeCatchUpSlot();
    const member: Member = { subscriber, last: after.offset, buffer: [] };
    this.catchingUp.add(member);
    /** Where a read started again after losing the broker: its first entry may not be past it (retention). */
    let resumedAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onEntry = (entry: StreamEntry): Promise<void> | undefined | void => {
      if (!this.catchingUp.has(member)) return;
      if (!member.verified) {
        if (entry.offset < after.offset) return;
        if (entry.offset > after.offset) {
          return this.endCatchUp(member, cursorExpired());
        }
        if (entry.kind !== 'event' || entry.event.id !== after.eventId) {
          return this.endCatchUp(
            member,
            new SubscriptionEnded('BAD_USER_INPUT', 'after: not a cursor of this event stream'),
          );
        }
        member.verified = true;
        clearTimeout(timer);
        // Its own copy, so a second one after it counts as a repeat on a gateway that has not met it.
        this.repeated.isRepeat(entry.event.id, entry.offset);
        return;
      }
      if (resumedAt !== undefined) {
        const from = resumedAt;
        resumedAt = undefined;
        if (entry.offset > from) return this.endCatchUp(member, cursorExpired());
      }
      if (member.liveFrom !== undefined && entry.offset >= member.liveFrom) return this.handOver(member);
      this.offer(member, entry, true);
      return subscriber.ready?.();
    };
    const read = () => {
      if (member.verified) resumedAt = member.last;
      else {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (!member.verified)
            this.endCatchUp(member, new SubscriptionEnded('BAD_USER_INPUT', 'after: no such event in the stream'));
        }, CURSOR_CHECK_MS);
      }
      return this.reader.readFrom(member.verified ? member.last : after.offset, onEntry);
    };
    const catchUp = await read();
    if (!catchUp) {
      clearTimeout(timer);
      free();
      this.catchingUp.delete(member);
      throw streamUnavailable('the broker is unreachable');
    }
    void this.keepReading(member, catchUp, read).finally(free);
    return async () => {
      clearTimeout(timer);
      this.catchingUp.delete(member);
      this.leaveLive(member);
      await member.catchUp?.stop();
    };
  }

  /**
   * Follows a member's backlog read to its end. When the broker goes away under it, the read
   * starts again from the last entry offered, once the broker is back (within
   * `BROKER_RETURN_MS`), as the live reader does; only then does the subscription end.
   */
  private async keepReading(member: Member, first: CatchUp, read: () => Promise<CatchUp | undefined>): Promise<void> {
    for (let current: CatchUp | undefined = first; current;) {
      member.catchUp = current;
      if (!this.catchingUp.has(member)) return current.stop();
      const lost = await current.ended;
      if (lost === undefined || !this.catchingUp.has(member)) return;
      this.logger.warn(
        { offset: member.last, reason: lost },
        'a backlog read lost the broker; reading on when it is back',
      );
      current = await this.readAgain(member, read);
      if (!current) this.endCatchUp(member, streamUnavailable(lost));
    }
  }

  private async readAgain(member: Member, read: () => Promise<CatchUp | undefined>): Promise<CatchUp | undefined> {
    const deadline = Date.now() + BROKER_RETURN_MS;
    while (this.catchingUp.has(member) && Date.now() < deadline) {
      if (await this.reader.whenConnected(deadline - Date.now())) {
        const catchUp = await read();
        if (catchUp) return catchUp;
      }
      await new Promise((resolve) => setTimeout(resolve, REREAD_RETRY_MS));
    }
    return undefined;
  }

  /** Gives a member an entry it has not seen yet, if it is one of the events it wants and no repeat of one before it. */
  private offer(member: Member, entry: StreamEntry, catchingUp = false): void {
    if (entry.offset <= member.last) return;
    member.last = entry.offset;
    if (entry.kind !== 'event' || !matches(member.subscriber.filter, entry.event)) return;
    if (this.repeated.isRepeat(entry.event.id, entry.offset)) {
      this.logger.debug(
        { eventId: entry.event.id, offset: entry.offset },
        'an event the stream holds twice, delivered once',
      );
      return;
    }
    member.subscriber.deliver(entry, { catchingUp });
  }

  private handOver(member: Member): void {
    this.catchingUp.delete(member);
    void member.catchUp?.stop();
    for (const entry of member.buffer.splice(0)) this.offer(member, entry);
    this.joinLive(member);
  }

  private endCatchUp(member: Member, reason: SubscriptionEnded): void {
    if (!this.catchingUp.delete(member)) return;
    void member.catchUp?.stop();
    member.subscriber.end(reason);
  }

  private onLive(entry: StreamEntry): void {
    for (const member of this.catchingUp) {
      // Its backlog read got here first: it is caught up, and the live reader goes on from here.
      // (Else a quiet stream would keep its reader, and its slot, until the next event.)
      if (member.verified && entry.offset <= member.last) {
        this.handOver(member);
        continue;
      }
      member.liveFrom ??= entry.offset;
      if (entry.kind === 'event' && matches(member.subscriber.filter, entry.event)) member.buffer.push(entry);
      if (member.buffer.length > MAX_HANDOVER_BUFFER) {
        member.buffer = [];
        member.liveFrom = undefined;
      }
    }
    if (entry.kind !== 'event') return;
    for (const field of SUBSCRIPTION_FIELDS.values()) {
      if (field.eventType !== entry.event.type) continue;
      const members = this.live.get(keyOf({ field, key: field.keyOf(entry.event) }));
      for (const member of members ?? []) this.offer(member, entry);
    }
  }

  /** The live reader came back after the stream dropped what it had not read: nobody may go on as if nothing was missed. */
  private onGap(position: number, firstSeen: number): void {
    this.logger.error(
      { position, firstSeen },
      'the stream dropped events the gateway had not read; ending live subscriptions',
    );
    for (const [key, members] of this.live) {
      for (const member of members) member.subscriber.end(cursorExpired());
      this.live.delete(key);
    }
  }

  /** Ends every subscription, for a shutdown. */
  async closeAll(reason: SubscriptionEnded): Promise<void> {
    const members = [...this.catchingUp, ...[...this.live.values()].flatMap((set) => [...set])];
    this.catchingUp.clear();
    this.live.clear();
    await Promise.all(members.map((member) => member.catchUp?.stop()));
    for (const member of members) member.subscriber.end(reason);
  }
}
