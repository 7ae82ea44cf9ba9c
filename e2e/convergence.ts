import { queryRows as rows, waitFor, type Row } from '@potluck/testing';
import type { TestStack } from './stack.js';
import { parkedCount } from './stackProbes.js';

/** What the checks read: the two databases and the broker prefix (a one-of-each stack or a replica stack). */
export type ConvergenceTarget = Pick<TestStack, 'databaseUrls' | 'amqpPrefix'>;

function byId(list: Row[]): Map<string, Row> {
  return new Map(list.map((row) => [String(row.id), row]));
}

/** Replica rows that disagree with their source: missing, stale, alive when gone, or gone when alive. */
function replicaDiffs(kind: string, source: Map<string, Row>, replica: Map<string, Row>): string[] {
  const diffs: string[] = [];
  for (const [id, row] of source) {
    const copy = replica.get(id);
    if (!copy || copy.deleted || copy.version !== row.version) {
      diffs.push(
        `${kind} ${id} v${String(row.version)} is ${copy ? `v${String(copy.version)}${copy.deleted ? ' deleted' : ''}` : 'missing'} in the replica`,
      );
    }
  }
  for (const [id, copy] of replica) {
    if (!copy.deleted && !source.has(id)) diffs.push(`${kind} ${id} is alive in the replica but gone at the source`);
  }
  return diffs;
}

/**
 * Everything that must hold once the system is quiet: every replica equals its source
 * (ids, versions, tombstones), every commentCount equals the recipe's comments, no comment
 * outlives its recipe, both outboxes are drained and both parking queues are empty.
 */
export async function convergenceProblems(stack: ConvergenceTarget): Promise<string[]> {
  const { recipes: recipesDb, comments: commentsDb } = stack.databaseUrls;
  const [recipes, commentReplica, recipesOutbox] = await Promise.all([
    rows(recipesDb, 'SELECT id::text, version, comment_count FROM recipes'),
    rows(recipesDb, 'SELECT id::text, version, deleted FROM comment_replica'),
    rows(recipesDb, 'SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL'),
  ]);
  const [comments, recipeReplica, commentsOutbox] = await Promise.all([
    rows(commentsDb, 'SELECT id::text, recipe_id::text, version FROM comments'),
    rows(commentsDb, 'SELECT id::text, version, deleted FROM recipe_replica'),
    rows(commentsDb, 'SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL'),
  ]);
  const problems = [
    ...replicaDiffs('recipe', byId(recipes), byId(recipeReplica)),
    ...replicaDiffs('comment', byId(comments), byId(commentReplica)),
  ];
  const recipeIds = new Set(recipes.map((row) => String(row.id)));
  const counts = new Map<string, number>();
  for (const comment of comments) {
    const recipeId = String(comment.recipe_id);
    counts.set(recipeId, (counts.get(recipeId) ?? 0) + 1);
    if (!recipeIds.has(recipeId)) problems.push(`comment ${String(comment.id)} outlives recipe ${recipeId}`);
  }
  for (const recipe of recipes) {
    const expected = counts.get(String(recipe.id)) ?? 0;
    if (recipe.comment_count !== expected) {
      problems.push(
        `recipe ${String(recipe.id)} commentCount ${String(recipe.comment_count)}, has ${expected} comments`,
      );
    }
  }
  for (const [service, outbox] of [
    ['recipes', recipesOutbox],
    ['comments', commentsOutbox],
  ] as const) {
    const unsent = Number(outbox[0]?.unsent ?? 0);
    if (unsent > 0) problems.push(`${service} outbox still holds ${unsent} unsent event(s)`);
  }
  const parked = await parkedCount(stack);
  if (parked > 0) problems.push(`${parked} message(s) parked`);
  return problems;
}

/** Waits until the stack has converged; fails listing what still differs. */
export async function waitForConvergence(stack: ConvergenceTarget, timeoutMs = 30_000): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(
      async () => {
        last = await convergenceProblems(stack);
        return last.length === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: 'convergence' },
    );
  } catch {
    throw new Error(`not converged after ${timeoutMs} ms:\n  ${last.slice(0, 30).join('\n  ')}`);
  }
}
