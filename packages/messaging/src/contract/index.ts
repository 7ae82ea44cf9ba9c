export {
  CORRELATION_ID_MAX_LENGTH,
  EVENT_PRODUCERS,
  EVENT_TYPES,
  PRODUCER_OF,
  SCHEMA_VERSION,
  createEnvelope,
} from './envelope.js';
export type { Actor, EventEnvelope, EventMeta, EventProducer, EventType, NewEvent } from './envelope.js';
export {
  validateEvent,
  ContractViolation,
  recipeStateSchema,
  commentStateSchema,
  type ValidEvent,
  type EventOf,
  type RecipeState,
  type CommentState,
  type EventData,
} from './contracts.js';
