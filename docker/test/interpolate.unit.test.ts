import { describe, expect, it } from 'vitest';
import { interpolate, interpolateAll, InterpolationError, requiredVariables } from './interpolate.js';

describe('Compose interpolation', () => {
  const vars = { USER: 'ana', EMPTY: '' };

  it('substitutes $VAR and ${VAR}, and leaves $$ as one dollar', () => {
    expect(interpolate('$USER:${USER}@$$HOME', vars)).toBe('ana:ana@$HOME');
    expect(interpolate('[${MISSING}]', vars)).toBe('[]');
  });

  it('uses a default when unset, or also when empty with ":"', () => {
    expect(interpolate('${MISSING:-x} ${EMPTY:-x} ${EMPTY-x} ${USER:-x}', vars)).toBe('x x  ana');
    expect(interpolate('${MISSING:+alt}|${USER:+alt}|${EMPTY+alt}', vars)).toBe('|alt|alt');
  });

  it('fails with the message of ${VAR:?message} when the variable is missing or empty', () => {
    expect(() => interpolate('${MISSING:?copy .env.example to .env}', vars)).toThrow(InterpolationError);
    expect(() => interpolate('${EMPTY:?say so}', vars)).toThrow('EMPTY: say so');
    expect(interpolate('${EMPTY?say so}', vars)).toBe('');
  });

  it('interpolates values, not keys, through a whole document', () => {
    expect(interpolateAll({ $USER: ['${USER}', 1, { url: 'x://$USER' }] }, vars)).toEqual({
      $USER: ['ana', 1, { url: 'x://ana' }],
    });
  });

  it('lists the variables a text needs, without the ones that have defaults', () => {
    expect(requiredVariables('${A:?x} $B ${C:-d} ${D-d} ${E+x} $$F ${G}')).toEqual(['A', 'B', 'G']);
  });
});
