export { Broker, type BrokerOptions, type BrokerParticipant } from './broker.js';
export { Publisher, BrokerUnavailable } from './publisher.js';
export { OutboxRelay, publishBackoffMs, type RelayOptions, type OutboxStats } from './relay.js';
export { InboxConsumer, type ConsumerOptions, type EventHandler } from './consumer.js';
export { recordInInbox, type InboxTransaction } from './inbox.js';
export { classify, retryDelayMs, shouldPark, PoisonMessage, type FailureKind } from './classify.js';
export { createFailpoints, FAILPOINTS, type Failpoint, type FailpointTrigger } from './failpoints.js';
export {
  consumerTopology,
  exchangeName,
  declareExchange,
  declareConsumerTopology,
  deleteConsumerTopology,
  type ConsumerTopology,
} from './topology.js';
export { discardParked, listParked, requeueParked, type ParkedMessage } from './parked.js';
