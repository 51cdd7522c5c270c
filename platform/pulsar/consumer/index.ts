export { Consumer, RETRY_PROPERTIES, type ConsumerOptions, type DeadLetterPolicy, type RetryPolicy } from './consumer.ts';
export { InitialPosition, SubscriptionType } from './partition-consumer.ts';
export { KeySharedMode, KEY_HASH_RANGE_MAX, type KeySharedPolicy } from './key-shared.ts';
export type { NackBackoff } from './nack-tracker.ts';
export { TopicsPatternMode } from './topic-pattern.ts';
