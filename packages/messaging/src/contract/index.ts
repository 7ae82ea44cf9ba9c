export {
  CONSUMED_BY,
  CORRELATION_ID_MAX_LENGTH,
  EVENT_PRODUCERS,
  EVENT_TYPES,
  PRODUCER_OF,
  SCHEMA_VERSION,
  createEnvelope,
  producerFor,
} from './envelope.js';
export type {
  Actor,
  ConsumedBy,
  EventConsumer,
  EventEnvelope,
  EventMeta,
  EventProducer,
  EventType,
  NewEvent,
} from './envelope.js';
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
