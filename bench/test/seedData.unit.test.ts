import { describe, expect, it } from 'vitest';
import { COMMENTS_PER_RECIPE, RECIPES, seedComments, seedId, seedRecipes } from '../src/gateways/seedData.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the fixed data set', () => {
  it('is 1,000 recipes with 10 comments each, identical on every call', () => {
    const recipes = seedRecipes();
    const comments = seedComments(recipes);
    expect(recipes).toHaveLength(RECIPES);
    expect(comments).toHaveLength(RECIPES * COMMENTS_PER_RECIPE);
    expect(seedComments(seedRecipes())).toEqual(comments);
    expect(recipes.every((recipe) => recipe.comment_count === COMMENTS_PER_RECIPE)).toBe(true);
  });

  it('uses distinct valid UUIDs, recipes apart from comments', () => {
    const recipes = seedRecipes();
    const ids = [...recipes, ...seedComments(recipes)].map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => UUID.test(id))).toBe(true);
    expect(seedId('recipe', 1)).not.toBe(seedId('comment', 1));
  });

  it('gives each recipe its own comments, newer than the recipe, and keeps values within the API rules', () => {
    const recipes = seedRecipes(3, 2);
    const comments = seedComments(recipes, 2);
    expect(comments.map((comment) => comment.recipe_id)).toEqual(recipes.flatMap((recipe) => [recipe.id, recipe.id]));
    const createdOf = new Map(recipes.map((recipe) => [recipe.id, recipe.created_at]));
    expect(comments.every((comment) => comment.created_at > createdOf.get(comment.recipe_id)!)).toBe(true);
    for (const recipe of seedRecipes()) {
      expect(recipe.time_minutes).toBeGreaterThanOrEqual(1);
      expect(recipe.title.length).toBeLessThanOrEqual(200);
      expect(recipe.price).toMatch(/^\d+\.\d{2}$/);
    }
    for (const row of [...recipes, ...comments]) {
      expect(row.author_id).toMatch(/^cook\d+$/);
      expect(row.author_name.length).toBeLessThanOrEqual(100);
    }
  });
});
