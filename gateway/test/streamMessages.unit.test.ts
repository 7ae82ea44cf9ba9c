import { commentEventFixture, recipeEventFixture } from '@potluck/testing';
import { describe, expect, it } from 'vitest';
import { readStreamEntry } from '../src/subscriptions/streamMessages.js';
import { streamNames } from '../src/subscriptions/streamTopology.js';

const names = streamNames('potluck');
const trust = { publishers: ['recipes', 'comments'] };

/** An event as RabbitMQ delivers it from the stream: published to `exchange` by `userId`. */
function delivered(event: object, exchange: string, userId: string) {
  return { content: Buffer.from(JSON.stringify(event)), fields: { exchange }, properties: { userId } };
}

describe('an event in the stream', () => {
  const comment = commentEventFixture('comment.added', crypto.randomUUID());
  const recipe = recipeEventFixture('recipe.created', crypto.randomUUID(), 1);

  it('is handed on when it came through its type’s producer’s exchange from a trusted login', () => {
    expect(readStreamEntry(delivered(comment, names.exchangeOf('comments'), 'comments'), 3, trust, names)).toEqual({
      kind: 'event',
      offset: 3,
      event: comment,
    });
    expect(readStreamEntry(delivered(recipe, names.exchangeOf('recipes'), 'recipes'), 4, trust, names)).toMatchObject({
      kind: 'event',
    });
  });

  it('is skipped when a trusted login sends another producer’s type through its own exchange', () => {
    // The recipes service may write to its own exchange, and the gateway trusts its login: not to make up comments.
    expect(readStreamEntry(delivered(comment, names.exchangeOf('recipes'), 'recipes'), 5, trust, names)).toEqual({
      kind: 'skipped',
      offset: 5,
      reason: 'a comment.added event came through potluck.recipes.events, not potluck.comments.events',
    });
  });

  it('is skipped when it came through the default exchange or the marks exchange', () => {
    for (const exchange of ['', names.marks]) {
      expect(readStreamEntry(delivered(recipe, exchange, 'recipes'), 6, trust, names)).toMatchObject({
        kind: 'skipped',
        reason: expect.stringMatching(/^a recipe\.created event came through .+, not potluck\.recipes\.events$/),
      });
    }
  });
});
