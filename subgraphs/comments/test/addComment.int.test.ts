import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { errorCodes, TEST_USER, testUsers } from '@potluck/testing';
import { addComment, requestAddComment } from './commentsClient.js';
import { expectedEnvelope, useCommentsForTest } from './harness.js';
import { createTestClock } from './testClock.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const clock = createTestClock('2026-03-01T10:00:00.000Z');
const service = useCommentsForTest({ clock: clock.now });

function outboxOf(commentId: string) {
  return service.prisma.outboxMessage.findMany({ where: { aggregateId: commentId } });
}

async function rowCounts() {
  return { comments: await service.prisma.comment.count(), outbox: await service.prisma.outboxMessage.count() };
}

describe('addComment', () => {
  it('returns the new comment with its id, text, the signed-in user as author and clock time', async () => {
    clock.set('2026-03-01T10:15:30.123Z');
    const recipeId = randomUUID();
    const comment = await addComment(service, { recipeId, text: 'Great with rice' }, testUsers.ana);
    expect(comment).toEqual({
      id: expect.stringMatching(UUID),
      text: 'Great with rice',
      author: { id: 'ana', name: 'Ana' },
      createdAt: '2026-03-01T10:15:30.123Z',
      recipe: { id: recipeId },
    });
  });

  it('refuses anyone not signed in with UNAUTHENTICATED and writes nothing', async () => {
    const before = await rowCounts();
    const response = await requestAddComment(service, { recipeId: randomUUID(), text: 'Nice' }, null);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses an author in the input: the author is who signed in', async () => {
    const response = await requestAddComment(service, { recipeId: randomUUID(), text: 'Nice', author: 'admin' });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toContain('author');
  });

  it('trims the text it stores', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: '  Tasty \n' });
    expect(comment).toMatchObject({ text: 'Tasty' });
    expect(await service.prisma.comment.findUnique({ where: { id: comment.id } })).toMatchObject({ text: 'Tasty' });
  });

  it('stores the comment at version 1', async () => {
    clock.set('2026-03-02T08:00:00.000Z');
    const recipeId = randomUUID();
    const comment = await addComment(service, { recipeId, text: 'Stored' });
    expect(await service.prisma.comment.findUnique({ where: { id: comment.id } })).toEqual({
      id: comment.id,
      recipeId,
      text: 'Stored',
      authorId: TEST_USER.id,
      authorName: TEST_USER.name,
      createdAt: new Date('2026-03-02T08:00:00.000Z'),
      version: 1,
    });
  });

  it('writes exactly one comment.added outbox row carrying the full state', async () => {
    clock.set('2026-03-03T09:30:00.000Z');
    const recipeId = randomUUID();
    const comment = await addComment(service, { recipeId, text: 'Evented' }, testUsers.joe);
    const rows = await outboxOf(comment.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'comment.added', aggregateVersion: 1, sentAt: null });
    expect(rows[0]?.payload).toEqual(
      expectedEnvelope(
        rows[0],
        { type: 'comment.added', at: '2026-03-03T09:30:00.000Z', version: 1, by: testUsers.joe },
        {
          id: comment.id,
          recipeId,
          text: 'Evented',
          author: 'Joe',
          authorId: 'joe',
          createdAt: '2026-03-03T09:30:00.000Z',
          version: 1,
        },
      ),
    );
    expect(rows[0]?.id).not.toBe(comment.id);
  });

  it('accepts a second comment on the same recipe as a separate comment with its own event', async () => {
    const recipeId = randomUUID();
    const first = await addComment(service, { recipeId, text: 'One' });
    const second = await addComment(service, { recipeId, text: 'Two' });
    expect(second.id).not.toBe(first.id);
    expect(await outboxOf(first.id)).toHaveLength(1);
    expect(await outboxOf(second.id)).toHaveLength(1);
  });
});

describe('addComment with input that breaks a rule', () => {
  it.each([
    ['text', { text: '' }],
    ['text', { text: '   ' }],
    ['text', { text: 'x'.repeat(2001) }],
    ['text', { text: 'nul \u0000 inside' }],
    ['recipeId', { recipeId: 'not-a-uuid' }],
  ])('is BAD_USER_INPUT naming %s and writes nothing (%#)', async (field, override) => {
    const before = await rowCounts();
    const response = await requestAddComment(service, { recipeId: randomUUID(), text: 'ok', ...override });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.message).toContain(field);
    expect(response.errors?.[0]?.extensions?.field).toBe(field);
    expect(response.data).toBeNull();
    expect(await rowCounts()).toEqual(before);
  });

  it('accepts exactly 2000 characters of text', async () => {
    const comment = await addComment(service, { recipeId: randomUUID(), text: 'x'.repeat(2000) });
    expect(comment.text).toHaveLength(2000);
  });
});
