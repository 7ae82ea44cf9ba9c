import { describe, expect, it } from 'vitest';
import { ECHO_LIMIT, MESSAGE_LIMIT, parseTimestamp, quoted, withShortQuotes } from '@potluck/service';

describe('echoed input', () => {
  it('quotes a short value whole and a long one as a prefix with an ellipsis', () => {
    expect(quoted('abc')).toBe('"abc"');
    const long = quoted('y'.repeat(10_000));
    expect(long).toHaveLength(ECHO_LIMIT + 1);
    expect(long.endsWith('…')).toBe(true);
  });

  it('cuts every long quoted value inside a message GraphQL wrote, and caps the message', () => {
    const value = 'z'.repeat(900_000);
    const message = `Variable "$n" got invalid value "${value}"; Int cannot represent non-integer value: "${value}"`;
    const shown = withShortQuotes(message);
    expect(shown.length).toBeLessThan(300);
    expect(shown).toMatch(/^Variable "\$n" got invalid value "z+…"; Int cannot represent non-integer value: "z+…"$/);
    expect(withShortQuotes('a'.repeat(5000))).toHaveLength(MESSAGE_LIMIT + 1);
  });

  it('takes one pass over a hostile message, however its quotes and escapes are arranged', () => {
    const hostile = `Unknown operation named "${'a\\"'.repeat(200_000)}`;
    const started = performance.now();
    const shown = withShortQuotes(hostile);
    // A backtracking pattern took minutes on this input; a single pass takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(shown.length).toBeLessThanOrEqual(MESSAGE_LIMIT + 1);
  });

  it('leaves ordinary messages alone', () => {
    expect(withShortQuotes('title must be at most 200 characters')).toBe('title must be at most 200 characters');
  });
});

describe('parseTimestamp', () => {
  it('reads ISO-8601 timestamps with an offset', () => {
    expect(parseTimestamp('2026-01-31T12:00:00.000Z')?.toISOString()).toBe('2026-01-31T12:00:00.000Z');
    expect(parseTimestamp('2026-01-31T13:00:00+01:00')?.toISOString()).toBe('2026-01-31T12:00:00.000Z');
  });

  it('refuses what Postgres cannot store or what is not a full timestamp', () => {
    for (const value of [
      '0000-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '2026-01-31',
      '1',
      'March 7',
      5,
      null,
    ]) {
      expect(parseTimestamp(value), String(value)).toBeUndefined();
    }
    expect(parseTimestamp('2026-02-31T00:00:00Z'), 'a day the month does not have').toBeUndefined();
    expect(parseTimestamp('2026-13-01T00:00:00Z')).toBeUndefined();
  });
});
