export { Consumer, RETRY_PROPERTIES, type ConsumerOptions, type DeadLetterPolicy, type RetryPolicy } from './consumer.ts';
export { InitialPosition, SubscriptionType } from './partition-consumer.ts';
