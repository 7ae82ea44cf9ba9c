import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { BadUserInputError } from '@potluck/service';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/subscriptions/cursor.js';
import { matches, SUBSCRIPTION_FIELDS } from '../src/subscriptions/subscriptionFields.js';
import { commentEventFixture, recipeEventFixture } from '@potluck/testing';

function refusal(cursor: string): unknown {
  try {
    decodeCursor(cursor);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('subscription cursors', () => {
  it('give back the stream position they were made from', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uuid(), (offset, eventId) => {
        const cursor = encodeCursor({ offset, eventId });
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor)).toEqual({ offset, eventId });
      }),
    );
  });

  it('refuse anything else as BAD_USER_INPUT naming after', () => {
    const eventId = randomUUID();
    const hostile = [
      '',
      'hostile <script> value',
      'x'.repeat(10_000),
      Buffer.from(`v2:1:${eventId}`).toString('base64url'),
      Buffer.from(`v1:-1:${eventId}`).toString('base64url'),
      Buffer.from(`v1:01:${eventId}`).toString('base64url'),
      Buffer.from(`v1:99999999999999999:${eventId}`).toString('base64url'),
      Buffer.from('v1:1:not-a-uuid').toString('base64url'),
      Buffer.from(`v1:1:${eventId}\n`).toString('base64url'),
      `${encodeCursor({ offset: 1, eventId })}=`,
    ];
    for (const cursor of hostile) {
      const error = refusal(cursor);
      expect(error, cursor.slice(0, 40)).toBeInstanceOf(BadUserInputError);
      expect((error as BadUserInputError).details).toEqual({ field: 'after' });
      expect((error as Error).message).not.toContain('<script>');
    }
  });
});

describe('subscription filters', () => {
  const commentAdded = SUBSCRIPTION_FIELDS.get('commentAdded')!;
  const recipeUpdated = SUBSCRIPTION_FIELDS.get('recipeUpdated')!;
  const recipeId = randomUUID();

  it('take a comment on the recipe, not on another, and not a deletion', () => {
    const filter = { field: commentAdded, key: recipeId };
    expect(matches(filter, commentEventFixture('comment.added', recipeId))).toBe(true);
    expect(matches(filter, commentEventFixture('comment.added', randomUUID()))).toBe(false);
    expect(matches(filter, commentEventFixture('comment.deleted', recipeId))).toBe(false);
    expect(matches(filter, recipeEventFixture('recipe.updated', recipeId, 2))).toBe(false);
  });

  it('take an update of the recipe, not its creation or another recipe', () => {
    const filter = { field: recipeUpdated, key: recipeId };
    expect(matches(filter, recipeEventFixture('recipe.updated', recipeId, 2))).toBe(true);
    expect(matches(filter, recipeEventFixture('recipe.updated', randomUUID(), 2))).toBe(false);
    expect(matches(filter, recipeEventFixture('recipe.created', recipeId, 1))).toBe(false);
    expect(matches(filter, recipeEventFixture('recipe.deleted', recipeId, 3))).toBe(false);
  });
});
