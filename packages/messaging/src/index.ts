export * from './contract/index.js';
export { appendToOutbox, outboxInsert, type OutboxTransaction, type SqlTag } from './outbox.js';
export {
  startEventSync,
  trustedPublishers,
  type EventSyncCheck,
  type EventSyncSettings,
  type RunningEventSync,
  type SubgraphEvents,
} from './eventSync.js';
export {
  eventSyncGauges,
  eventTypeLabel,
  messagingMetrics,
  UNKNOWN_EVENT_TYPE,
  type EventSyncProbes,
} from './metrics.js';
export { Broker, type BrokerOptions, type BrokerParticipant } from './broker.js';
export {
  amqpUser,
  checkPublisher,
  publisherOf,
  PUBLISHER_HEADER,
  type PublisherTrust,
  type TrustDecision,
} from './publisherTrust.js';
export { Publisher, BrokerUnavailable } from './publisher.js';
export { OutboxRelay, publishBackoffMs, type RelayOptions, type OutboxStats } from './relay.js';
export { InboxConsumer, type ConsumerOptions } from './consumer.js';
export { DEFAULT_MAX_BODY_BYTES } from './deliveryTriage.js';
export { AwaitedExchanges, EXCHANGE_RECHECK_MS, EXCHANGE_RECHECK_MAX_MS } from './awaitedExchanges.js';
export {
  ACCESS_REFUSED,
  brokerReason,
  isRefusal,
  isReply,
  keepRefusal,
  NOT_FOUND,
  PRECONDITION_FAILED,
} from './amqpReplies.js';
export { DeclarationRefused, type DeclarationRefusedOptions, type ArgumentRemedies } from './declarationRefused.js';
export { BindingKeeper, BINDING_CHECK_MS } from './bindingKeeper.js';
export {
  DEFAULT_DELIVERY_LIMIT,
  declareEventExchanges,
  declareEventTopology,
  eventConsumerTopologies,
  eventTopologyDefinitions,
  type EventConsumerTopology,
} from './eventTopology.js';
export {
  dispatchByType,
  dispatchInOrder,
  handledTypes,
  type BatchHandler,
  type ConsumerHandlers,
  type EventHandler,
  type EventHandlers,
} from './handlers.js';
export { MESSAGING_MIGRATIONS, OUTBOX_CHANNEL, subgraphMigrations, type MigrationSourceDir } from './storage.js';
export { recordBatchInInbox, type InboxTransaction, type NewMessages } from './inbox.js';
export { classify, PoisonMessage, type FailureKind } from './classify.js';
export { decideFailure, retryDelayMs, type FailureDecision, type RetryLimits } from './retryPolicy.js';
export { failureHistory, type FailureHistory } from './failureHistory.js';
export { printable } from './printable.js';
export { createFailpoints, FAILPOINTS, type Failpoint, type FailpointTrigger } from './failpoints.js';
export {
  AMQP_PREFIX_PATTERN,
  AMQP_PREFIX_RULE,
  brokerNames,
  brokerPermissions,
  exactly,
  consumerTopology,
  exchangeName,
  declareExchange,
  missingExchanges,
  declareConsumerTopology,
  bindWorkQueue,
  consumerQueueDeclarations,
  type QueueDeclaration,
  type BrokerNames,
  type BrokerPermissions,
  type ConsumerQueues,
  type ConsumerTopology,
} from './topology.js';
export {
  countParked,
  countParkedOn,
  discardParked,
  listParked,
  requeueParked,
  type ListParkedOptions,
  type ParkedMessage,
} from './parked.js';
export { Unroutable } from './publisher.js';
export { PARK_REASONS, SILENT_OBSERVER, type MessagingObserver, type ParkReason } from './observer.js';
