import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCodes, TEST_USER, testUsers } from '@potluck/testing';
import { addComment, dataOf, getComment, requestDeleteComment } from './commentsClient.js';
import { expectedEnvelope, useCommentsForTest } from './harness.js';
import { createTestClock } from './testClock.js';

const clock = createTestClock('2026-04-01T12:00:00.000Z');
const service = useCommentsForTest({ clock: clock.now });

async function deleteComment(id: string): Promise<string> {
  return dataOf(await requestDeleteComment(service.url, id)).deleteComment;
}

function deletedEventsOf(commentId: string) {
  return service.prisma.outboxMessage.findMany({ where: { aggregateId: commentId, type: 'comment.deleted' } });
}

describe('deleteComment', () => {
  it('returns the id and removes the comment', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Bye' });
    expect(await deleteComment(comment.id)).toBe(comment.id);
    expect(await service.prisma.comment.findUnique({ where: { id: comment.id } })).toBeNull();
    expect(await getComment(service.url, comment.id)).toBeNull();
  });

  it('writes one comment.deleted event at version 2 naming the recipe', async () => {
    const recipeId = randomUUID();
    const comment = await addComment(service, { recipeId, text: 'Gone soon' });
    clock.set('2026-04-02T07:45:00.000Z');
    await deleteComment(comment.id);
    const events = await deletedEventsOf(comment.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ aggregateVersion: 2, sentAt: null });
    expect(events[0]?.payload).toEqual(
      expectedEnvelope(
        events[0],
        { type: 'comment.deleted', at: '2026-04-02T07:45:00.000Z', version: 2, by: TEST_USER },
        { id: comment.id, recipeId },
      ),
    );
  });

  it('leaves other comments of the same recipe alone', async () => {
    const recipeId = randomUUID();
    const kept = await addComment(service, { recipeId, text: 'Keep me' });
    const removed = await addComment(service, { recipeId, text: 'Remove me' });
    await deleteComment(removed.id);
    expect(await getComment(service.url, kept.id)).toMatchObject({ id: kept.id, text: 'Keep me' });
  });

  it('is NOT_FOUND the second time, and writes no second event', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Twice' });
    await deleteComment(comment.id);
    const again = await requestDeleteComment(service.url, comment.id);
    expect(errorCodes(again)).toEqual(['NOT_FOUND']);
    expect(again.errors?.[0]?.extensions?.id).toBe(comment.id);
    expect(await deletedEventsOf(comment.id)).toHaveLength(1);
  });

  it('is NOT_FOUND for an id that never existed', async () => {
    expect(errorCodes(await requestDeleteComment(service.url, randomUUID()))).toEqual(['NOT_FOUND']);
  });

  it.each(['not-a-uuid', '', '42', "1' OR '1'='1"])('is NOT_FOUND, never an internal error, for %j', async (id) => {
    const before = await service.prisma.outboxMessage.count();
    const response = await requestDeleteComment(service.url, id);
    expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    expect(await service.prisma.outboxMessage.count()).toBe(before);
  });

  it('accepts an uppercase id and reports the stored id in the response and the event', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Shouted' });
    expect(await deleteComment(comment.id.toUpperCase())).toBe(comment.id);
    const [event] = await deletedEventsOf(comment.id);
    expect(event?.payload).toMatchObject({ aggregateId: comment.id, data: { id: comment.id } });
  });
});

describe('Query.comment', () => {
  it('returns a stored comment with its recipe reference', async () => {
    clock.set('2026-04-03T18:00:00.000Z');
    const recipeId = randomUUID();
    const comment = await addComment(service, { recipeId, text: 'Find me' }, testUsers.joe);
    expect(await getComment(service.url, comment.id)).toEqual({
      id: comment.id,
      text: 'Find me',
      author: { id: 'joe', name: 'Joe' },
      createdAt: '2026-04-03T18:00:00.000Z',
      recipe: { id: recipeId },
    });
  });

  it('finds a comment asked for by its id in uppercase', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Case' });
    expect(await getComment(service.url, comment.id.toUpperCase())).toMatchObject({ text: 'Case' });
  });

  it.each([randomUUID(), 'not-a-uuid', ''])(
    'returns null without an error for unknown or malformed id %j',
    async (id) => {
      expect(await getComment(service.url, id)).toBeNull();
    },
  );
});

describe('who may delete a comment', () => {
  async function counts(commentId: string) {
    return {
      comment: await service.prisma.comment.count({ where: { id: commentId } }),
      events: (await deletedEventsOf(commentId)).length,
    };
  }

  it('refuses anyone not signed in with UNAUTHENTICATED, and deletes nothing', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Mine' }, testUsers.ana);
    const response = await requestDeleteComment(service.url, comment.id, null);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(await counts(comment.id)).toEqual({ comment: 1, events: 0 });
  });

  it('refuses another user with FORBIDDEN, and deletes nothing', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Mine' }, testUsers.ana);
    const response = await requestDeleteComment(service.url, comment.id, testUsers.joe);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.errors?.[0]?.message).toContain("comment's author or a moderator");
    expect(await counts(comment.id)).toEqual({ comment: 1, events: 0 });
  });

  it("lets a moderator delete anyone's comment, and the event names the moderator", async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Spam' }, testUsers.ana);
    const response = await requestDeleteComment(service.url, comment.id, testUsers.moderator);
    expect(dataOf(response).deleteComment).toBe(comment.id);
    const [event] = await deletedEventsOf(comment.id);
    expect(event?.payload).toMatchObject({ actor: { id: 'mo', name: 'Mo' } });
  });

  it('lets the author delete their own comment', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Oops' }, testUsers.joe);
    expect(dataOf(await requestDeleteComment(service.url, comment.id, testUsers.joe)).deleteComment).toBe(comment.id);
  });

  it('refuses a user whose id only differs in case', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'Case' }, testUsers.ana);
    const response = await requestDeleteComment(service.url, comment.id, { id: 'ANA', name: 'Ana', roles: [] });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });
});
