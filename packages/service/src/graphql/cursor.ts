import { isUuid } from './ids.js';
import { quoted } from './echo.js';
import { BadUserInputError } from './errors.js';

/**
 * Opaque keyset cursors: base64url JSON of a tag (the order it belongs to) and the sort
 * key values of the last row seen. Decoding checks the tag so a cursor taken under one
 * order cannot silently be used under another.
 */
export function encodeCursor(tag: string, values: Array<string | number>): string {
  return Buffer.from(JSON.stringify([tag, ...values])).toString('base64url');
}

export function decodeCursor(cursor: string, tag: string, argument = 'after'): Array<string | number> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadUserInputError(`${argument} is not a valid cursor`, argument);
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length < 2 ||
    !decoded.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw new BadUserInputError(`${argument} is not a valid cursor`, argument);
  }
  const [cursorTag, ...values] = decoded as Array<string | number>;
  if (cursorTag !== tag) {
    throw new BadUserInputError(
      `${argument} is a cursor for another ordering (${quoted(cursorTag)}), not ${tag}`,
      argument,
    );
  }
  return values;
}

/** A Relay connection page, as the subgraphs' connection fields return it. */
export interface Page<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /**
   * How many there are in all: counted only for a client that asks (`count(*)` is not free).
   * Left out otherwise, so a selection the resolver failed to see fails loudly (`Int!`).
   */
  totalCount?: number;
}

/** How a row becomes an edge: its node, and its cursor (encoded only when a client selects it). */
export interface EdgeOf<Row, Node> {
  nodeOf: (row: Row) => Node;
  cursorOf: (row: Row) => string;
}

/**
 * An edge whose cursor is encoded when read: most selections ask for the nodes only, and
 * cursors nobody read cost the subgraphs up to about 5 % of their CPU per page (bench/README item 14).
 */
class Edge<Row, Node> {
  readonly #row: Row;
  readonly #cursorOf: (row: Row) => string;

  constructor(
    readonly node: Node,
    row: Row,
    cursorOf: (row: Row) => string,
  ) {
    this.#row = row;
    this.#cursorOf = cursorOf;
  }

  get cursor(): string {
    return this.#cursorOf(this.#row);
  }

  /** What it is to anything that copies it: its cursor and node, never the row behind them. */
  toJSON(): { cursor: string; node: Node } {
    return { cursor: this.cursor, node: this.node };
  }
}

/**
 * The page of `first` that `rows` make when they were fetched with one row more than `first`:
 * keyset pagination learns `hasNextPage` from that extra row.
 */
export function pageOf<Row, Node>(
  rows: readonly Row[],
  first: number,
  { nodeOf, cursorOf }: EdgeOf<Row, Node>,
  totalCount?: number,
): Page<Node> {
  const edges = rows.slice(0, first).map((row) => new Edge(nodeOf(row), row, cursorOf));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    ...(totalCount !== undefined && { totalCount }),
  };
}

/**
 * A batch lookup by id (entity resolution, DataLoader): one query for the ids that are UUIDs,
 * answers in the order asked, null for an unknown or malformed id.
 */
export async function findByIds<Row extends { id: string }>(
  ids: readonly string[],
  find: (uuids: string[]) => Promise<Row[]>,
): Promise<Array<Row | null>> {
  const uuids = ids.filter(isUuid);
  const found = uuids.length > 0 ? await find(uuids) : [];
  const byId = new Map(found.map((row) => [row.id, row]));
  // Postgres answers with lowercase UUIDs; a caller may have asked in uppercase.
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
