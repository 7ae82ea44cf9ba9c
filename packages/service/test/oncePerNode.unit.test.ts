import { parse } from 'graphql';
import { expect, it } from 'vitest';
import { oncePerNode } from '../src/limits/oncePerNode.js';

it('computes once per node, and again for another node with the same text', () => {
  let runs = 0;
  const definitionsOf = oncePerNode((document: ReturnType<typeof parse>) => {
    runs += 1;
    return document.definitions.length;
  });
  const document = parse('{ a }');
  expect([definitionsOf(document), definitionsOf(document)]).toEqual([1, 1]);
  expect(runs).toBe(1);
  definitionsOf(parse('{ a }'));
  expect(runs).toBe(2);
});
