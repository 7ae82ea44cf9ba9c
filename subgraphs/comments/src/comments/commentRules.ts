import { z } from 'zod';
import { BadUserInputError, isUuid } from '@potluck/service';

/** The validation rules for comments: pure, so they are unit-tested without a database. */
export const LIMITS = { textMax: 2000 } as const;

/** Postgres text cannot hold U+0000; without this check such input fails as an internal error. */
const hasNoNul = (value: string) => !value.includes('\u0000');

const RECIPE_ID_MESSAGE = 'recipeId must be a recipe id (a UUID)';

const newCommentSchema = z.object({
  recipeId: z.string({ error: RECIPE_ID_MESSAGE }).refine(isUuid, RECIPE_ID_MESSAGE),
  text: z
    .string({ error: 'text must be a string' })
    .trim()
    .min(1, 'text must not be empty')
    .max(LIMITS.textMax, `text must be at most ${LIMITS.textMax} characters`)
    .refine(hasNoNul, 'text must not contain NUL characters'),
});

export type CommentDraft = z.output<typeof newCommentSchema>;

export function validateNewComment(input: object): CommentDraft {
  const result = newCommentSchema.safeParse(input);
  if (result.success) return result.data;
  const messages = [...new Set(result.error.issues.map((issue) => issue.message))];
  throw new BadUserInputError(messages.join('; '), result.error.issues[0]?.path.join('.'));
}
