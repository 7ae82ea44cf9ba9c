import { z } from 'zod';
import {
  CORRELATION_ID_MAX_LENGTH,
  EVENT_TYPES,
  SCHEMA_VERSION,
  type EventEnvelope,
  type EventType,
} from './envelope.js';

const uuid = z.uuid();
const isoDate = z.iso.datetime({ offset: true });

/** The full recipe state that recipe.created and recipe.updated carry. */
export const recipeStateSchema = z.object({
  id: uuid,
  title: z.string(),
  description: z.string(),
  ingredients: z.array(z.string()),
  timeMinutes: z.number().int(),
  price: z.string().regex(/^\d+\.\d{2}$/),
  createdAt: isoDate,
  updatedAt: isoDate,
  version: z.number().int().min(1),
});

/** A recipe's full state as recipe events carry it (inferred from the contract). */
export type RecipeState = z.infer<typeof recipeStateSchema>;

/** The full comment state that comment.added carries. */
export const commentStateSchema = z.object({
  id: uuid,
  recipeId: uuid,
  text: z.string(),
  /** The author's name when they wrote it. */
  author: z.string(),
  /** The author's user id; absent on comments written before identity. */
  authorId: z.string().min(1).max(255).optional(),
  createdAt: isoDate,
  version: z.number().int().min(1),
});

/** A comment's full state as comment.added carries it (inferred from the contract). */
export type CommentState = z.infer<typeof commentStateSchema>;

const DATA_SCHEMAS = {
  'recipe.created': recipeStateSchema,
  'recipe.updated': recipeStateSchema,
  'recipe.deleted': z.object({ id: uuid }),
  'comment.added': commentStateSchema,
  'comment.deleted': z.object({ id: uuid, recipeId: uuid }),
} satisfies Record<EventType, z.ZodType>;

export type EventData = { [Type in EventType]: z.output<(typeof DATA_SCHEMAS)[Type]> };

/** An envelope whose `data` matches its `type`: what handlers receive. */
export type ValidEvent = { [Type in EventType]: EventEnvelope<EventData[Type]> & { type: Type } }[EventType];

/** The validated event of one type, e.g. `EventOf<'comment.added'>`: what its handler receives. */
export type EventOf<Type extends EventType> = Extract<ValidEvent, { type: Type }>;

const envelopeSchema = z.object({
  id: uuid,
  type: z.enum(EVENT_TYPES),
  schemaVersion: z.literal(SCHEMA_VERSION),
  occurredAt: isoDate,
  aggregateId: uuid,
  aggregateVersion: z.number().int().min(1),
  correlationId: z.string().min(1).max(CORRELATION_ID_MAX_LENGTH).optional(),
  actor: z.object({ id: z.string().min(1).max(255), name: z.string().max(100) }).optional(),
  data: z.unknown(),
});

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/**
 * Checks an incoming (or outgoing) message against the one shared contract: the envelope,
 * a known type, the schema version, and the data for that type. Throws a ContractViolation
 * naming what is wrong; such a message can never succeed, so consumers park it.
 */
export function validateEvent(message: unknown): ValidEvent {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) throw new ContractViolation(`invalid envelope: ${describe(envelope.error)}`);
  const data = DATA_SCHEMAS[envelope.data.type].safeParse(envelope.data.data);
  if (!data.success) throw new ContractViolation(`invalid ${envelope.data.type} data: ${describe(data.error)}`);
  if ((data.data as { id: string }).id !== envelope.data.aggregateId) {
    throw new ContractViolation(`data.id does not match aggregateId ${envelope.data.aggregateId}`);
  }
  return { ...envelope.data, data: data.data } as ValidEvent;
}

/** Issues named in a violation: a hostile body can break thousands of fields, and the text is logged. */
const ISSUES_SHOWN = 5;

function describe(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, ISSUES_SHOWN)
    .map((issue) => `${issue.path.join('.').slice(0, 100) || '(root)'}: ${issue.message.slice(0, 200)}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}
