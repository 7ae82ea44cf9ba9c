import { z } from 'zod';
import { BadUserInputError, isUuid } from '@potluck/service';

/** The validation rules for comments: pure, so they are unit-tested without a database. */
export const LIMITS = { textMax: 2000, authorMax: 100 } as const;
export const ANONYMOUS = 'anonymous';

const newCommentSchema = z.object({
  recipeId: z.string().refine(isUuid, 'recipeId must be a recipe id (a UUID)'),
  text: z
    .string()
    .trim()
    .min(1, 'text must not be empty')
    .max(LIMITS.textMax, `text must be at most ${LIMITS.textMax} characters`),
  author: z
    .string()
    .trim()
    .max(LIMITS.authorMax, `author must be at most ${LIMITS.authorMax} characters`)
    .nullish()
    .transform((author) => author || ANONYMOUS),
});

export type CommentDraft = z.output<typeof newCommentSchema>;

export function validateNewComment(input: object): CommentDraft {
  const result = newCommentSchema.safeParse(input);
  if (result.success) return result.data;
  const messages = [...new Set(result.error.issues.map((issue) => issue.message))];
  throw new BadUserInputError(messages.join('; '), result.error.issues[0]?.path.join('.'));
}
