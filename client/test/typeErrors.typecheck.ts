/**
 * Compiled by `npm run typecheck`, never run: each `@ts-expect-error` below must meet the error
 * it announces, or tsc fails on the unused directive. typeErrors.int.test.ts checks that each one
 * is the intended error, not some other.
 */
import { createClient, CreateRecipeDocument, RecipeDocument, type RecipeQuery } from '../src/index.js';

const client = createClient({ url: 'http://localhost:4000/graphql' });

export async function wrongVariableType(): Promise<void> {
  await client.request(CreateRecipeDocument, {
    // @ts-expect-error timeMinutes is an Int: a string is refused before the request is sent
    input: { title: 'Dal', timeMinutes: '30', price: '12.50' },
  });
}

export async function misspeltField(): Promise<string | undefined> {
  const data = await client.request(RecipeDocument, { id: 'any' });
  // @ts-expect-error the field is `title`
  return data.recipe?.titel;
}

export async function missingRequiredVariable(): Promise<RecipeQuery> {
  // @ts-expect-error `id` is required by the Recipe operation
  await client.request(RecipeDocument, {});
  // @ts-expect-error so the variables cannot be left out either
  return client.request(RecipeDocument);
}

export async function fieldNotSelected(): Promise<string | undefined> {
  const data = await client.request(RecipeDocument, { id: 'any' });
  // @ts-expect-error Comment.recipe is in the schema, but this operation does not select it
  return data.recipe?.comments?.edges[0]?.node.recipe?.id;
}

export async function wellTyped(): Promise<string | undefined> {
  const data = await client.request(RecipeDocument, { id: 'any', commentsFirst: 5 });
  return data.recipe?.comments?.edges[0]?.node.createdAt;
}
