import { outboxInsert } from '@potluck/messaging';
import type { User } from '@potluck/identity';
import { newEventMeta } from '@potluck/service';
import { Prisma, type Recipe } from '../generated/prisma/client.js';
import type { RecipeDeps } from './recipeDeps.js';
import { recipeChanged } from './recipeEvents.js';
import { validateNewRecipe } from './recipeRules.js';

/**
 * Validates, stores the recipe at version 1 with the user as its author, and records
 * `recipe.created`, atomically.
 *
 * One statement, so one round trip to Postgres instead of four (BEGIN, two inserts, COMMIT):
 * the outbox insert is a data-modifying `WITH` of the recipe's insert, and a statement
 * commits whole or not at all. Everything stored is known before it is written (the id,
 * the clock, validated fields the columns hold exactly), so the event and the answer are
 * built from it rather than read back.
 */
export async function createRecipe(deps: RecipeDeps, author: User, input: object): Promise<Recipe> {
  const draft = validateNewRecipe(input);
  const now = deps.clock();
  const recipe: Recipe = {
    ...draft,
    price: new Prisma.Decimal(draft.price),
    id: deps.newId(),
    authorId: author.id,
    authorName: author.name,
    createdAt: now,
    updatedAt: now,
    version: 1,
    commentCount: 0,
  };
  const event = recipeChanged('recipe.created', recipe, newEventMeta(deps, now, author));
  await deps.prisma.$executeRaw`
    WITH event AS (${outboxInsert(Prisma.sql, event)})
    INSERT INTO recipes (id, title, description, ingredients, time_minutes, price,
                         created_at, updated_at, version, author_id, author_name)
    VALUES (${recipe.id}::uuid, ${recipe.title}, ${recipe.description}, ${recipe.ingredients}::text[],
            ${recipe.timeMinutes}, ${draft.price}::numeric, ${now}::timestamptz, ${now}::timestamptz, 1, ${author.id}, ${author.name})`;
  return recipe;
}
