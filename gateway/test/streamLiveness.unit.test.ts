import { describe, expect, it } from 'vitest';
import { StreamLiveness } from '../src/subscriptions/streamLiveness.js';
import { MARK_TYPE, readStreamEntry } from '../src/subscriptions/streamMessages.js';
import { streamNames } from '../src/subscriptions/streamTopology.js';

const names = streamNames('potluck');

describe('the stream’s liveness', () => {
  it('is overdue once the deadline passed since the last mark that came back was sent, and reports it once', () => {
    const liveness = new StreamLiveness(3000, 0);
    liveness.sent('a', 1000);
    expect(liveness.overdue(2500)).toBe(false);
    expect(liveness.heard('a')).toBe(false);
    liveness.sent('b', 2000);
    expect(liveness.overdue(3900)).toBe(false); // 'a' was sent at 1000: 2900 ms ago
    expect(liveness.overdue(4100)).toBe(true);
    liveness.stall();
    expect(liveness.overdue(9000)).toBe(false);
    expect(liveness.stalled).toBe(true);
  });

  it('ends a stall when a mark comes back, also one sent before the stall', () => {
    const liveness = new StreamLiveness(3000, 0);
    liveness.sent('a', 1000);
    liveness.sent('b', 2000);
    liveness.stall();
    expect(liveness.heard('unknown')).toBe(false);
    expect(liveness.heard('b')).toBe(true);
    expect(liveness.stalled).toBe(false);
    expect(liveness.heard('a')).toBe(false); // forgotten with every mark sent before 'b'
    expect(liveness.overdue(4900)).toBe(false);
    expect(liveness.overdue(5100)).toBe(true);
  });

  it('keeps sending and remembering marks while stalled, the oldest forgotten first, so a newer one can end it', () => {
    const liveness = new StreamLiveness(3000, 0);
    liveness.stall();
    for (let n = 0; n < 100; n++) liveness.sent(`m${n}`, n * 1000);
    expect(liveness.heard('m0')).toBe(false);
    expect(liveness.heard('m99')).toBe(true);
  });

  it('starts afresh when the reader is positioned again: marks sent on the old channel count for nothing', () => {
    const liveness = new StreamLiveness(3000, 0);
    liveness.sent('old', 1000);
    liveness.stall();
    liveness.reset(10_000);
    expect(liveness.stalled).toBe(false);
    expect(liveness.heard('old')).toBe(false);
    expect(liveness.overdue(12_000)).toBe(false);
    expect(liveness.overdue(13_100)).toBe(true);
  });
});

describe('a mark in the stream', () => {
  const trust = { publishers: ['recipes-service'] };
  const message = (content: string, userId: string) => ({
    content: Buffer.from(content),
    fields: { exchange: names.marks },
    properties: { type: MARK_TYPE, messageId: 'id-1', userId },
  });

  it('is a mark whichever gateway login wrote it, so another gateway’s marks never flush a cache', () => {
    expect(readStreamEntry(message('{}', 'gateway-b'), 7, trust, names)).toEqual({
      kind: 'mark',
      offset: 7,
      id: 'id-1',
    });
  });

  it('is not a mark when it carries anything: it is judged as an event, from its publisher', () => {
    expect(readStreamEntry(message('{"type":"recipe.deleted"}', 'someone'), 8, trust, names)).toMatchObject({
      kind: 'skipped',
    });
  });
});
