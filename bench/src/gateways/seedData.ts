/** The fixed data set: the same ids, texts and timestamps on every run. */
export const RECIPES = 1000;
export const COMMENTS_PER_RECIPE = 10;

const EPOCH = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

export interface SeedRecipe {
  id: string;
  title: string;
  description: string;
  ingredients: string[];
  time_minutes: number;
  price: string;
  created_at: string;
  comment_count: number;
  author_id: string;
  author_name: string;
}

export interface SeedComment {
  id: string;
  recipe_id: string;
  text: string;
  author_id: string;
  author_name: string;
  created_at: string;
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');

/** One of 97 cooks, as a signed-in user would have written: a stable user id and the name they had then. */
function cook(n: number): { author_id: string; author_name: string } {
  return { author_id: `cook${n % 97}`, author_name: `Cook ${n % 97}` };
}

/** A valid UUID (version 4 layout) derived from a kind and a number, so ids are stable across runs. */
export function seedId(kind: 'recipe' | 'comment', n: number): string {
  return `${kind === 'recipe' ? '0000bec1' : '0000c0de'}-0000-4000-8000-${hex(n, 12)}`;
}

export function seedRecipes(count = RECIPES, commentsEach = COMMENTS_PER_RECIPE): SeedRecipe[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    return {
      id: seedId('recipe', n),
      title: `Recipe ${n}`,
      description: `A fixed benchmark recipe, number ${n}, with a description of ordinary length.`,
      ingredients: ['flour', 'water', 'salt', `spice ${n % 7}`],
      time_minutes: 5 + (n % 120),
      price: `${(n % 50) + 1}.99`,
      created_at: new Date(EPOCH + n * MINUTE).toISOString(),
      comment_count: commentsEach,
      ...cook(n),
    };
  });
}

export function seedComments(recipes: SeedRecipe[], commentsEach = COMMENTS_PER_RECIPE): SeedComment[] {
  return recipes.flatMap((recipe, index) =>
    Array.from({ length: commentsEach }, (_, j) => {
      const n = index * commentsEach + j + 1;
      return {
        id: seedId('comment', n),
        recipe_id: recipe.id,
        text: `Comment ${j + 1} on ${recipe.title}: made it twice, would make it again.`,
        ...cook(n),
        created_at: new Date(Date.parse(recipe.created_at) + (j + 1) * 1000).toISOString(),
      };
    }),
  );
}
