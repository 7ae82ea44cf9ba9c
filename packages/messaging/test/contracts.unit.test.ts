import { describe, expect, it } from 'vitest';
import { ContractViolation, createEnvelope, validateEvent } from '@potluck/messaging';

const id = '0195d0a4-7c1e-7b3a-9f00-0123456789ab';
const commentId = '0195d0a4-7c1e-7b3a-9f00-0123456789ac';

function deleted(overrides: Record<string, unknown> = {}) {
  return {
    ...createEnvelope({
      id: commentId,
      type: 'recipe.deleted',
      occurredAt: new Date(),
      aggregateId: id,
      aggregateVersion: 2,
      data: { id },
    }),
    ...overrides,
  };
}

describe('validateEvent', () => {
  it('accepts an envelope whose data matches its type', () => {
    expect(validateEvent(deleted())).toMatchObject({ type: 'recipe.deleted', aggregateVersion: 2, data: { id } });
  });

  it('keeps an optional correlation id, and leaves it out when there is none', () => {
    expect(validateEvent(deleted({ correlationId: 'req-1' }))).toMatchObject({ correlationId: 'req-1' });
    expect(validateEvent(deleted())).not.toHaveProperty('correlationId');
    expect(() => validateEvent(deleted({ correlationId: '' }))).toThrow(/correlationId/);
    expect(() => validateEvent(deleted({ correlationId: 'x'.repeat(129) }))).toThrow(/correlationId/);
  });

  it('names what is wrong', () => {
    expect(() => validateEvent(deleted({ type: 'recipe.exploded' }))).toThrow(/invalid envelope: type/);
    expect(() => validateEvent(deleted({ schemaVersion: 2 }))).toThrow(/schemaVersion/);
    expect(() => validateEvent(deleted({ aggregateVersion: 0 }))).toThrow(/aggregateVersion/);
    expect(() => validateEvent(deleted({ data: {} }))).toThrow(/invalid recipe.deleted data: id/);
    expect(() => validateEvent(deleted({ data: { id: commentId } }))).toThrow(/does not match aggregateId/);
    expect(() => validateEvent('{}')).toThrow(ContractViolation);
  });

  it('checks the full state a comment.added carries', () => {
    const event = createEnvelope({
      id: commentId,
      type: 'comment.added',
      occurredAt: new Date(),
      aggregateId: commentId,
      aggregateVersion: 1,
      data: { id: commentId, recipeId: id, text: 'hi', author: 'ana', createdAt: new Date().toISOString(), version: 1 },
    });
    expect(validateEvent(event).type).toBe('comment.added');
    expect(() => validateEvent({ ...event, data: { ...event.data, recipeId: 'nope' } })).toThrow(/recipeId/);
  });
});
