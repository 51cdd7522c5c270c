export { Producer, type CreateProducerOptions, type SendOptions } from './producer.ts';
export { AccessMode, type BatchingOptions, type CompressionName, type ProducerOptions } from './partition-producer.ts';
export { javaStringHash, type MessageRouter, type RoutingMode } from './router.ts';
