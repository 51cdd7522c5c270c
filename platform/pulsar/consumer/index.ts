import type { Consumer } from './consumer.ts';
import type { Delivery } from './partition-consumer.ts';

export { Consumer, RETRY_PROPERTIES, type ConsumerOptions, type DeadLetterPolicy, type RetryPolicy } from './consumer.ts';
export { InitialPosition, SubscriptionType } from './partition-consumer.ts';

/**
 * A consumer (or reader) as its user sees it: the class without the callbacks its partition
 * consumers deliver through (`Delivery`: push, purge, failed), which only this package calls.
 */
export type PublicConsumer = Omit<Consumer, keyof Delivery>;
export { KeySharedMode, KEY_HASH_RANGE_MAX, type KeySharedPolicy } from './key-shared.ts';
export type { NackBackoff } from './nack-tracker.ts';
export { TopicsPatternMode } from './topic-pattern.ts';
