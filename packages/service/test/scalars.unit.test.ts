import { describe, expect, it } from 'vitest';
import { Kind } from 'graphql';
import { DateTimeScalar, DecimalScalar } from '@potluck/service';

describe('Decimal', () => {
  it('serializes with two decimals whatever it is given', () => {
    expect(DecimalScalar.serialize('45')).toBe('45.00');
    expect(DecimalScalar.serialize(3.5)).toBe('3.50');
    expect(DecimalScalar.serialize({ toFixed: (places: number) => (12.3).toFixed(places) })).toBe('12.30');
  });

  it('accepts strings and numbers, in variables and literals', () => {
    expect(DecimalScalar.parseValue('12.50')).toBe('12.50');
    expect(DecimalScalar.parseValue(7)).toBe('7');
    expect(DecimalScalar.parseLiteral({ kind: Kind.FLOAT, value: '1.25' })).toBe('1.25');
    expect(DecimalScalar.parseLiteral({ kind: Kind.STRING, value: '-3' })).toBe('-3');
  });

  it('refuses what is not a decimal, saying what it expects', () => {
    expect(() => DecimalScalar.parseValue('12,50')).toThrow(/Decimal must be a number or a decimal string/);
    expect(() => DecimalScalar.parseValue(Number.NaN)).toThrow(/Decimal/);
    expect(() => DecimalScalar.parseLiteral({ kind: Kind.BOOLEAN, value: true })).toThrow(/Decimal/);
  });
});

describe('DateTime', () => {
  it('serializes dates as ISO-8601 with milliseconds', () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 0, 31, 12)))).toBe('2026-01-31T12:00:00.000Z');
  });

  it('parses ISO strings and refuses anything else', () => {
    expect(DateTimeScalar.parseValue('2026-01-31T12:00:00Z')).toEqual(new Date(Date.UTC(2026, 0, 31, 12)));
    expect(() => DateTimeScalar.parseValue('yesterday')).toThrow(/ISO-8601/);
    expect(() => DateTimeScalar.parseValue(12)).toThrow(/ISO-8601/);
  });
});
