import { describe, expect, it } from 'vitest';
import { xmlProblems } from './xmlProblems.js';

describe('the SVG well-formedness check used by the chart tests', () => {
  it('accepts escaped text, attributes and self-closing tags', () => {
    expect(xmlProblems('<svg a="1 &amp; 2"><text x="1">a &lt; b &amp; c</text><rect/></svg>')).toEqual([]);
  });

  it.each([
    ['<svg><text>a < b</text></svg>', 'bare <'],
    ['<svg><text>fish & chips</text></svg>', 'bare &'],
    ['<svg><g></svg>', 'closes'],
    ['<svg><g>', 'unclosed'],
    ['<svg/><svg/>', 'root'],
    ['<svg a="x" b=y/>', 'bare <'],
  ])('rejects %s', (xml, problem) => {
    expect(xmlProblems(xml).join('; ')).toContain(problem);
  });
});
