import { DEMO_USERS } from '@potluck/identity';
import { z } from 'zod';
import demoRecipes from './demoRecipes.json' with { type: 'json' };

/** One of the demo users (ana, joe, mo the moderator): `npm run seed` signs in as them. */
export type SeedUser = (typeof DEMO_USERS)[number]['user'];

const seedUser = z.enum(DEMO_USERS.map((demo) => demo.user) as [SeedUser, ...SeedUser[]]);

/** `CreateRecipeInput` plus who creates it and the comments to add to it, oldest first. */
const seedRecipeList = z.array(
  z.strictObject({
    author: seedUser,
    title: z.string(),
    description: z.string(),
    ingredients: z.array(z.string()),
    timeMinutes: z.number().int(),
    price: z.string(),
    comments: z.array(z.strictObject({ author: seedUser, text: z.string() })),
  }),
);

export type SeedRecipe = z.infer<typeof seedRecipeList>[number];
export type SeedComment = SeedRecipe['comments'][number];

/**
 * The demo data of `npm run seed` (demoRecipes.json): enough to page, filter, sort and see
 * comments in one request. Ana and Joe take turns at the recipes; all three demo users
 * comment, Mo the moderator too. Checked as it loads, so a typo there fails loudly here.
 */
export const SEED_RECIPES: SeedRecipe[] = seedRecipeList.parse(demoRecipes);
