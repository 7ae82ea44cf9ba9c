import {
  BadUserInputError,
  checkPageSize,
  decodeCursor,
  encodeCursor,
  isUuid,
  pageOf,
  parseTimestamp,
  type Page,
} from '@potluck/service';
import { SqlParameters, type SqlReads } from '@potluck/db';
import type { Comment } from '../generated/prisma/client.js';
import type { CommentDeps } from './commentDeps.js';

const CURSOR_TAG = 'COMMENTS';

/** A recipe's comments, newest first; `totalCount` is how many the recipe has. */
export type CommentPage = Page<Comment>;

export interface CommentPageRequest {
  first: number;
  after?: string | null;
  /** Count every recipe's comments in the same batch, because the operation selects `totalCount`. */
  countTotal: boolean;
}

interface CommentRow {
  id: string;
  recipe_id: string;
  text: string;
  author_id: string;
  author_name: string;
  created_at: Date;
  version: number;
  /** The recipe's comments in all, when the page query counted them. */
  total: number | null;
}

function toComment(row: CommentRow): Comment {
  return {
    id: row.id,
    recipeId: row.recipe_id,
    text: row.text,
    authorId: row.author_id,
    authorName: row.author_name,
    createdAt: row.created_at,
    version: row.version,
  };
}

/** The cursor's position, checked before any statement runs. */
function afterPosition(after: string | null | undefined): [Date, string] | undefined {
  if (!after) return undefined;
  const [createdAt, id] = decodeCursor(after, CURSOR_TAG);
  const cursorTime = parseTimestamp(createdAt);
  if (!cursorTime || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError('after is not a valid cursor', 'after');
  }
  return [cursorTime, id];
}

async function countComments(sql: SqlReads, ids: string[]): Promise<Map<string, number>> {
  const counts = await sql.rows<{ recipe_id: string; total: number }>(
    'SELECT recipe_id, count(*)::int AS total FROM comments WHERE recipe_id = ANY($1::uuid[]) GROUP BY recipe_id',
    [ids],
  );
  return new Map(counts.map((count) => [count.recipe_id, count.total]));
}

/** The page query: each recipe's newest `first + 1` comments after the cursor, in one windowed statement. */
function pageStatement(ids: string[], first: number, after: [Date, string] | undefined, countedInPage: boolean) {
  const parameters = new SqlParameters();
  const recipeIds = parameters.add(ids, 'uuid[]');
  const afterCursor = after
    ? `AND (created_at, id) < (${parameters.add(after[0], 'timestamptz')}, ${parameters.add(after[1], 'uuid')})`
    : '';
  const total = countedInPage ? 'count(*) OVER (PARTITION BY recipe_id)::int' : 'NULL::int';
  const text = `SELECT id, recipe_id, text, author_id, author_name, created_at, version, total FROM (
      SELECT *,
        row_number() OVER (PARTITION BY recipe_id ORDER BY created_at DESC, id DESC) AS position,
        ${total} AS total
      FROM comments
      WHERE recipe_id = ANY(${recipeIds}) ${afterCursor}
    ) ranked
    WHERE position <= ${parameters.add(first + 1, 'int4')}
    ORDER BY recipe_id, created_at DESC, id DESC`;
  return { text, values: parameters.values };
}

/**
 * Newest-first comment pages for many recipes at once: one windowed page query however many
 * recipes a gateway page holds. It also counts each recipe's comments when `totalCount` is
 * asked for and no cursor is given (its window then holds every comment of the recipe); after
 * a cursor, one grouped count runs beside it. Read with plain SQL, not Prisma's client, because
 * every page of recipes makes this read (`SqlReads`).
 */
export async function loadCommentPages(
  deps: Pick<CommentDeps, 'sql'>,
  recipeIds: readonly string[],
  { first, after, countTotal }: CommentPageRequest,
): Promise<CommentPage[]> {
  checkPageSize(first);
  const position = afterPosition(after);
  const ids = recipeIds.filter(isUuid);
  if (ids.length === 0) return recipeIds.map(() => emptyPage());
  const countedInPage = countTotal && !after;
  const page = pageStatement(ids, first, position, countedInPage);
  const [rows, counted] = await Promise.all([
    deps.sql.rows<CommentRow>(page.text, page.values),
    countTotal && !countedInPage ? countComments(deps.sql, ids) : undefined,
  ]);
  const totals = countedInPage ? new Map(rows.map((row) => [row.recipe_id, row.total ?? 0])) : counted;
  const rowsByRecipe = Map.groupBy(rows, (row) => row.recipe_id);
  // Postgres answers with lowercase UUIDs; a representation may carry uppercase ones.
  return recipeIds.map((recipeId) => {
    const key = recipeId.toLowerCase();
    return toPage(rowsByRecipe.get(key) ?? [], first, totals && (totals.get(key) ?? 0));
  });
}

const COMMENT_EDGE = {
  nodeOf: toComment,
  cursorOf: (row: CommentRow) => encodeCursor(CURSOR_TAG, [row.created_at.toISOString(), row.id]),
};

function toPage(rows: CommentRow[], first: number, totalCount: number | undefined): CommentPage {
  return pageOf(rows, first, COMMENT_EDGE, totalCount);
}

function emptyPage(): CommentPage {
  return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
}
