import { describe, expect, it } from 'vitest';
import { printable } from '../src/index.js';

/** Anything a terminal could act on or reorder: C0, DEL, C1, line separators, bidi controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u; // eslint-disable-line no-control-regex

describe('printable', () => {
  it('turns escape sequences, C1 controls and bidi overrides into visible escapes', () => {
    expect(printable('\u001b[2J\u001b[31mred\u0007')).toBe('\\u001b[2J\\u001b[31mred\\u0007');
    expect(printable('a\u009b31mb\u007f')).toBe('a\\u009b31mb\\u007f');
    expect(printable('invoice\u202egnp.exe')).toBe('invoice\\u202egnp.exe');
    expect(printable('line\nnext\r\tend')).toBe('line\\u000anext\\u000d\\u0009end');
  });

  it('leaves ordinary text alone, accents and emoji included', () => {
    expect(printable('Crème brûlée 🍮 {"price": "3.50"}')).toBe('Crème brûlée 🍮 {"price": "3.50"}');
  });

  it('escapes every unsafe code point and keeps a JSON line valid JSON', () => {
    const everything = Array.from({ length: 0x2070 }, (_, code) => String.fromCodePoint(code)).join('');
    expect(printable(everything)).not.toMatch(UNSAFE);
    const line = printable(JSON.stringify({ reason: 'x\u009b\u202e\u2066y' }));
    expect(line).not.toMatch(UNSAFE);
    expect(JSON.parse(line)).toEqual({ reason: 'x\u009b\u202e\u2066y' });
  });
});
