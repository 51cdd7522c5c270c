// platform/pulsar — the public API: what an application may call. Everything else is internal
// (DESIGN.md, STYLE.md); tests and benchmarks also have testing.ts. Producer, Consumer and
// Transaction are exported as types: the client creates them, and Consumer leaves out the
// callbacks its partition consumers use.
export { PulsarClient, type ClientOptions, type ReaderOptions, type ServiceUrlProvider } from './client.ts';
export { ClusterFailover, tcpProbe, type ClusterFailoverOptions } from './failover.ts';
export {
  PulsarError, PulsarServerError, PulsarProtocolError, PulsarTimeoutError, PulsarConnectionError,
  ClientErrorCode, SERVER_ERRORS, isRetriable, type PulsarErrorCode, type ServerErrorCode,
} from './errors.ts';
export { Instrumentation, silentLogger, type Logger, type InstrumentationEvents, type InstrumentationEvent } from './instrumentation.ts';
export { MessageId, ChunkMessageId, type Message, type OutgoingMessage } from './message/index.ts';
export { type Producer, AccessMode, javaStringHash, type CreateProducerOptions, type SendOptions, type BatchingOptions, type CompressionName, type MessageRouter, type RoutingMode } from './producer/index.ts';
export {
  type PublicConsumer as Consumer, RETRY_PROPERTIES, type ConsumerOptions, type DeadLetterPolicy, type RetryPolicy, SubscriptionType, InitialPosition,
  KeySharedMode, KEY_HASH_RANGE_MAX, type KeySharedPolicy, type NackBackoff, TopicsPatternMode,
} from './consumer/index.ts';
export { LATENCY_BUCKETS_MS, type ProducerStats, type ConsumerStats, type HistogramSnapshot } from './stats.ts';
export { type Transaction, TransactionState, type TransactionOptions } from './transactions/index.ts';
export { tokenAuth, type AuthProvider } from './network/index.ts';
export { TopicName } from './topic/index.ts';
export { SchemaType, type SchemaInfo, type RegisteredSchema } from './schema.ts';
