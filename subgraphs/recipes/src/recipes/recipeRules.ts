import { z } from 'zod';
import { BadUserInputError } from '@potluck/service';

/** The validation rules for recipes: pure, so they are unit-tested without a database. */
export const LIMITS = {
  titleMax: 200,
  descriptionMax: 5000,
  ingredientsMax: 100,
  ingredientMax: 200,
  timeMinutesMax: 10_080,
  priceMax: 999_999.99,
} as const;

const PRICE_PATTERN = /^\d+(\.\d{1,2})?$/;

/** Postgres text cannot hold U+0000; refusing it here keeps it a user error rather than a database failure. */
const hasNoNul = (value: string) => !value.includes('\u0000');

/**
 * A lone surrogate (ill-formed UTF-16, which a JSON string may escape) is stored as U+FFFD, as
 * encoding to UTF-8 writes it. Replacing it here gives the answer and the event what is stored,
 * and keeps the event valid JSON for Postgres' jsonb, which refuses a lone surrogate.
 */
const asStored = (value: string) => value.toWellFormed();

const title = z
  .string()
  .trim()
  .min(1, 'title must not be empty')
  .max(LIMITS.titleMax, `title must be at most ${LIMITS.titleMax} characters`)
  .refine(hasNoNul, 'title must not contain NUL characters')
  .transform(asStored);
const description = z
  .string()
  .max(LIMITS.descriptionMax, `description must be at most ${LIMITS.descriptionMax} characters`)
  .refine(hasNoNul, 'description must not contain NUL characters')
  .transform(asStored);
const ingredients = z
  .array(
    z
      .string()
      .trim()
      .min(1, 'ingredients must not contain empty items')
      .max(LIMITS.ingredientMax, `each of ingredients must be at most ${LIMITS.ingredientMax} characters`)
      .refine(hasNoNul, 'ingredients must not contain NUL characters')
      .transform(asStored),
  )
  .max(LIMITS.ingredientsMax, `ingredients must have at most ${LIMITS.ingredientsMax} items`);
const timeMinutes = z
  .number()
  .int('timeMinutes must be a whole number')
  .min(1, 'timeMinutes must be at least 1')
  .max(LIMITS.timeMinutesMax, `timeMinutes must be at most ${LIMITS.timeMinutesMax}`);

/** A decimal as the Decimal scalar hands it over (a string) or as a caller may pass it (a number). */
function money(field: string) {
  const text = z
    .string()
    .refine((value) => !value.startsWith('-'), `${field} must be at least 0`)
    .refine(
      (value) => value.startsWith('-') || PRICE_PATTERN.test(value),
      `${field} must have at most 2 decimal places`,
    )
    .refine((value) => Number(value) <= LIMITS.priceMax, `${field} must be at most ${LIMITS.priceMax}`)
    .transform((value) => Number(value).toFixed(2));
  return z.preprocess((value) => (typeof value === 'number' ? String(value) : value), text);
}

const createSchema = z.object({
  title,
  description: description.default(''),
  ingredients: ingredients.default([]),
  timeMinutes,
  price: money('price'),
});

const updateSchema = z.object({
  title: title.optional(),
  description: description.optional(),
  ingredients: ingredients.optional(),
  timeMinutes: timeMinutes.optional(),
  price: money('price').optional(),
});

const filterSchema = z.object({
  titleContains: z
    .string()
    .max(LIMITS.titleMax, `filter.titleContains must be at most ${LIMITS.titleMax} characters`)
    .refine(hasNoNul, 'filter.titleContains must not contain NUL characters')
    .optional(),
  maxTimeMinutes: z.number().int().min(0, 'filter.maxTimeMinutes must be at least 0').optional(),
  maxPrice: money('filter.maxPrice').optional(),
});

export type RecipeDraft = z.output<typeof createSchema>;
export type RecipeChanges = z.output<typeof updateSchema>;
export type RecipeFilter = z.output<typeof filterSchema>;

/** GraphQL gives `null` for omitted-but-nullable fields; the rules treat both as "not given". */
function withoutNulls(input: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
}

function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: object): z.output<Schema> {
  const result = schema.safeParse(withoutNulls(input));
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const messages = result.error.issues.map((issue) => issue.message);
  throw new BadUserInputError([...new Set(messages)].join('; '), first?.path.join('.'));
}

export function validateNewRecipe(input: object): RecipeDraft {
  return parseOrThrow(createSchema, input);
}

export function validateRecipeChanges(input: object): RecipeChanges {
  return parseOrThrow(updateSchema, input);
}

export function validateRecipeFilter(input: object | null | undefined): RecipeFilter {
  return parseOrThrow(filterSchema, input ?? {});
}
