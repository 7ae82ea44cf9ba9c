import { describe, expect, it } from 'vitest';
import { BadUserInputError, checkPageSize, decodeCursor, encodeCursor, isUuid, pageOf } from '@potluck/service';

describe('cursors', () => {
  it('round-trip the sort key under the order they were made for', () => {
    const cursor = encodeCursor('QUICKEST', [30, 'a-b']);
    expect(decodeCursor(cursor, 'QUICKEST')).toEqual([30, 'a-b']);
  });

  it('refuse a cursor made for another order', () => {
    const cursor = encodeCursor('TITLE', ['Soup', 'id']);
    expect(() => decodeCursor(cursor, 'CHEAPEST')).toThrow(/another ordering \("TITLE"\)/);
  });

  it('refuse garbage as BAD_USER_INPUT naming the argument', () => {
    for (const garbage of [
      '%%%',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(garbage, 'NEWEST')).toThrow(BadUserInputError);
      expect(() => decodeCursor(garbage, 'NEWEST')).toThrow(/after is not a valid cursor/);
    }
  });
});

describe('pages', () => {
  const rows = [1, 2, 3, 4].map((n) => ({ id: `id-${n}`, n }));

  it('make `first` edges of the rows fetched with one more, and say whether there is a next page', () => {
    const page = pageOf(rows, 3, { nodeOf: (row) => row.id, cursorOf: (row) => `c${row.n}` }, 9);
    expect(page.edges.map((edge) => [edge.node, edge.cursor])).toEqual([
      ['id-1', 'c1'],
      ['id-2', 'c2'],
      ['id-3', 'c3'],
    ]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: 'c3' });
    expect(page.totalCount).toBe(9);
    expect(pageOf(rows, 4, { nodeOf: (row) => row.id, cursorOf: (row) => `c${row.n}` }).pageInfo.hasNextPage).toBe(
      false,
    );
  });

  it('encode an edge’s cursor only when it is read (the end cursor always)', () => {
    const encoded: number[] = [];
    const page = pageOf(rows, 3, { nodeOf: (row) => row.id, cursorOf: (row) => (encoded.push(row.n), `c${row.n}`) });
    expect(encoded).toEqual([3]);
    expect(page.edges[0]?.cursor).toBe('c1');
    expect(encoded).toEqual([3, 1]);
  });

  it('serialize an edge as its cursor and node, never the row behind it', () => {
    const page = pageOf(rows, 1, { nodeOf: (row) => row.id, cursorOf: (row) => `c${row.n}` });
    expect(JSON.parse(JSON.stringify(page.edges))).toEqual([{ cursor: 'c1', node: 'id-1' }]);
  });
});

describe('page size', () => {
  it('accepts 1 to 100 and names `first` otherwise', () => {
    expect(checkPageSize(1)).toBe(1);
    expect(checkPageSize(100)).toBe(100);
    expect(() => checkPageSize(0)).toThrow(/first must be between 1 and 100, got 0/);
    expect(() => checkPageSize(101)).toThrow(/first must be between 1 and 100, got 101/);
  });
});

describe('ids', () => {
  it('are UUIDs', () => {
    expect(isUuid('01a22576-df6e-7718-a6d9-112fe204e5af')).toBe(true);
    expect(isUuid('nope')).toBe(false);
    expect(isUuid("1' OR '1'='1")).toBe(false);
  });
});
