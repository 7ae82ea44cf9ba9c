import { describe, expect, it } from 'vitest';
import { RepeatedEvents } from '../src/subscriptions/repeatedEvents.js';

describe('RepeatedEvents', () => {
  it('takes an event met again at a higher offset as a repeat, and the same entry offered again as none', () => {
    const repeated = new RepeatedEvents();
    expect(repeated.isRepeat('a', 10)).toBe(false);
    expect(repeated.isRepeat('a', 10)).toBe(false); // another subscriber, the same entry
    expect(repeated.isRepeat('b', 11)).toBe(false);
    expect(repeated.isRepeat('a', 12)).toBe(true);
  });

  it('remembers the lowest copy a backlog read meets after the live one', () => {
    const repeated = new RepeatedEvents();
    expect(repeated.isRepeat('a', 20)).toBe(false); // live, before any backlog read
    expect(repeated.isRepeat('a', 5)).toBe(false); // a backlog read meets the first copy
    expect(repeated.isRepeat('a', 20)).toBe(true); // that subscriber's hand-over buffer holds the second
  });

  it('forgets the oldest past its capacity', () => {
    const repeated = new RepeatedEvents(2);
    repeated.isRepeat('a', 1);
    repeated.isRepeat('b', 2);
    repeated.isRepeat('c', 3);
    expect(repeated.isRepeat('a', 4)).toBe(false);
    expect(repeated.isRepeat('c', 5)).toBe(true);
  });
});
