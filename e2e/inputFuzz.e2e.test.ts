import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { buildSchema, isNonNullType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, queryRows, waitFor, type GraphQLResponse } from '@potluck/testing';
import { REPO_ROOT } from '../scripts/stack.js';
import { hostileValue } from './fuzz/hostileValues.js';
import { fuzzOperations, type FuzzOperation } from './fuzz/operations.js';
import { logEntries } from './stackProbes.js';
import { useStack } from './stack.js';

/**
 * Every query and mutation argument and input field, driven through the gateway with generated
 * hostile values: the answer is always a success or a coded client error, never a 500 or
 * INTERNAL_SERVER_ERROR, and a refused mutation writes nothing. Seeded (FUZZ_SEED) and bounded
 * (FUZZ_RUNS per field), so a failure replays exactly and CI stays fast.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

const stack = useStack();
const ids: string[] = [];

async function send(document: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  return graphqlRequest(stack.gatewayUrl, document, variables);
}

beforeAll(async () => {
  for (const title of ['Fuzz soup', 'Fuzz bread']) {
    const created = await send('mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }', {
      input: { title, timeMinutes: 10, price: '5.00' },
    });
    const recipeId = (created.data as { createRecipe: { id: string } }).createRecipe.id;
    ids.push(recipeId);
    const comment = await waitFor(async () => {
      const added = await send('mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
        input: { recipeId, text: 'seeded' },
      });
      return (added.data as { addComment: { id: string } } | null)?.addComment.id;
    });
    ids.push(comment);
  }
});

/** Everything either database holds that a mutation could change, as one comparable snapshot. */
async function writtenState(): Promise<string> {
  const [recipes, comments] = await Promise.all([
    queryRows(stack.databaseUrls.recipes, 'SELECT id, version FROM recipes ORDER BY id'),
    queryRows(stack.databaseUrls.comments, 'SELECT id, version FROM comments ORDER BY id'),
  ]);
  const outbox = await Promise.all(
    [stack.databaseUrls.recipes, stack.databaseUrls.comments].map((url) =>
      queryRows(url, 'SELECT count(*)::int AS n FROM outbox'),
    ),
  );
  return JSON.stringify({ recipes, comments, outbox });
}

const countOf = async (url: string, sql: string) => Number((await queryRows(url, sql))[0]?.n);

/**
 * Waits until every event either service published has been applied by the other, so that a
 * snapshot taken now changes only by what the next request does (a delete that succeeded
 * earlier goes on removing comments through events for a moment).
 */
async function settled(): Promise<void> {
  const { recipes, comments } = stack.databaseUrls;
  await waitFor(
    async () => {
      const [unsentRecipes, unsentComments, sentByRecipes, sentByComments, seenByRecipes, seenByComments] =
        await Promise.all([
          countOf(recipes, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL'),
          countOf(comments, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL'),
          countOf(recipes, 'SELECT count(*) AS n FROM outbox'),
          countOf(comments, 'SELECT count(*) AS n FROM outbox'),
          countOf(recipes, 'SELECT count(*) AS n FROM inbox'),
          countOf(comments, 'SELECT count(*) AS n FROM inbox'),
        ]);
      const quiet =
        unsentRecipes + unsentComments === 0 && sentByRecipes === seenByComments && sentByComments === seenByRecipes;
      return quiet || undefined;
    },
    { what: 'every event applied by the other service' },
  );
}

function failureOf(response: GraphQLResponse): string | undefined {
  if (response.status >= 500) return `status ${response.status}`;
  const internal = response.errors?.find((error) => {
    const code = error.extensions?.code;
    return typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR';
  });
  return internal && `error ${JSON.stringify(internal).slice(0, 300)}`;
}

const schema = buildSchema(await readFile(`${REPO_ROOT}/schema/api.graphql`, 'utf8'));

describe.each(fuzzOperations(schema).map((operation) => [operation.field, operation] as const))(
  '%s',
  (_field, operation: FuzzOperation) => {
    it('answers generated arguments with a success or a coded client error', { timeout: 180_000 }, async () => {
      const variables = fc.record(
        Object.fromEntries(operation.variables.map(({ name, type }) => [name, hostileValue(type, ids)])),
        { requiredKeys: operation.variables.filter(({ type }) => isNonNullType(type)).map(({ name }) => name) },
      );
      await fc.assert(
        fc.asyncProperty(variables, async (values) => {
          if (operation.kind === 'mutation') await settled();
          const before = operation.kind === 'mutation' ? await writtenState() : '';
          const response = await send(operation.document, values);
          const failure = failureOf(response);
          expect(failure, operation.document).toBeUndefined();
          const refused = (response.data as Record<string, unknown> | null | undefined)?.[operation.field] == null;
          if (operation.kind === 'mutation' && refused) {
            expect(await writtenState(), 'a refused mutation wrote something').toBe(before);
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  },
);

it('logged no unexpected error while fuzzing', () => {
  for (const name of ['gateway', 'recipes', 'comments'] as const) {
    const unexpected = logEntries(stack, name).filter((entry) => String(entry.msg).startsWith('unexpected error'));
    expect(
      unexpected.map((entry) => JSON.stringify(entry).slice(0, 500)),
      name,
    ).toEqual([]);
  }
});
