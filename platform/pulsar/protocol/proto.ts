// Loads our pulsar.proto once at module load with protobufjs reflection (which compiles fast
// encoders/decoders at runtime) and gives the messages TypeScript shapes.
// 64-bit fields decode as Long (protobufjs uses `long` when installed); we convert to bigint at
// the API boundary because JS numbers corrupt ledger ids and -1 sentinels (PROTOCOL.md §9).
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import Long from 'long';

protobuf.util.Long = Long;
protobuf.configure();

const source = readFileSync(new URL('./pulsar.proto', import.meta.url), 'utf8');
const root = protobuf.parse(source, { keepCase: true }).root;

function type(name: string): protobuf.Type {
  return root.lookupType(`lodestar.pulsar.${name}`);
}

export const BaseCommandType = type('BaseCommand');
export const MessageMetadataType = type('MessageMetadata');
export const SingleMessageMetadataType = type('SingleMessageMetadata');
export const BrokerEntryMetadataType = type('BrokerEntryMetadata');
export const MessageIdDataType = type('MessageIdData');

export type U64 = Long | number;

/** Command types (BaseCommand.Type); a sub-command's field number equals its value. */
export const CommandType = {
  CONNECT: 2, CONNECTED: 3, SUBSCRIBE: 4, PRODUCER: 5, SEND: 6, SEND_RECEIPT: 7, SEND_ERROR: 8,
  MESSAGE: 9, ACK: 10, FLOW: 11, UNSUBSCRIBE: 12, SUCCESS: 13, ERROR: 14, CLOSE_PRODUCER: 15,
  CLOSE_CONSUMER: 16, PRODUCER_SUCCESS: 17, PING: 18, PONG: 19, REDELIVER_UNACKNOWLEDGED_MESSAGES: 20,
  PARTITIONED_METADATA: 21, PARTITIONED_METADATA_RESPONSE: 22, LOOKUP: 23, LOOKUP_RESPONSE: 24,
  REACHED_END_OF_TOPIC: 27, SEEK: 28, GET_LAST_MESSAGE_ID: 29, GET_LAST_MESSAGE_ID_RESPONSE: 30,
  ACTIVE_CONSUMER_CHANGE: 31, GET_TOPICS_OF_NAMESPACE: 32, GET_TOPICS_OF_NAMESPACE_RESPONSE: 33,
  GET_SCHEMA: 34, GET_SCHEMA_RESPONSE: 35, GET_OR_CREATE_SCHEMA: 39, GET_OR_CREATE_SCHEMA_RESPONSE: 40, AUTH_CHALLENGE: 36, AUTH_RESPONSE: 37, ACK_RESPONSE: 38,
  NEW_TXN: 50, NEW_TXN_RESPONSE: 51, ADD_PARTITION_TO_TXN: 52, ADD_PARTITION_TO_TXN_RESPONSE: 53,
  ADD_SUBSCRIPTION_TO_TXN: 54, ADD_SUBSCRIPTION_TO_TXN_RESPONSE: 55, END_TXN: 56, END_TXN_RESPONSE: 57,
  TC_CLIENT_CONNECT_REQUEST: 62, TC_CLIENT_CONNECT_RESPONSE: 63, TOPIC_MIGRATED: 68,
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

/** BaseCommand field name for each command type we speak. */
export const COMMAND_FIELD: Record<number, keyof BaseCommand> = {
  2: 'connect', 3: 'connected', 4: 'subscribe', 5: 'producer', 6: 'send', 7: 'sendReceipt',
  8: 'sendError', 9: 'message', 10: 'ack', 11: 'flow', 12: 'unsubscribe', 13: 'success', 14: 'error',
  15: 'closeProducer', 16: 'closeConsumer', 17: 'producerSuccess', 18: 'ping', 19: 'pong',
  20: 'redeliverUnacknowledgedMessages', 21: 'partitionMetadata', 22: 'partitionMetadataResponse',
  23: 'lookupTopic', 24: 'lookupTopicResponse', 27: 'reachedEndOfTopic', 28: 'seek',
  29: 'getLastMessageId', 30: 'getLastMessageIdResponse', 31: 'activeConsumerChange',
  32: 'getTopicsOfNamespace', 33: 'getTopicsOfNamespaceResponse', 34: 'getSchema', 35: 'getSchemaResponse',
  39: 'getOrCreateSchema', 40: 'getOrCreateSchemaResponse',
  36: 'authChallenge', 37: 'authResponse', 38: 'ackResponse', 50: 'newTxn', 51: 'newTxnResponse',
  52: 'addPartitionToTxn', 53: 'addPartitionToTxnResponse', 54: 'addSubscriptionToTxn',
  55: 'addSubscriptionToTxnResponse', 56: 'endTxn', 57: 'endTxnResponse',
  62: 'tcClientConnectRequest', 63: 'tcClientConnectResponse', 68: 'topicMigrated',
};

export const CompressionType = { NONE: 0, LZ4: 1, ZLIB: 2, ZSTD: 3, SNAPPY: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export interface KeyValue { key: string; value: string }
/** The protocol's Schema message (types: None 0, String 1, Json 2, Protobuf 3, Avro 4, ProtobufNative 20). */
export interface SchemaData {
  name: string; schemaData: Uint8Array; type: number; properties?: KeyValue[];
}
export interface MessageIdData {
  ledgerId: U64; entryId: U64; partition?: number; batchIndex?: number;
  ackSet?: U64[]; batchSize?: number; firstChunkMessageId?: MessageIdData;
}
export interface FeatureFlags {
  supportsAuthRefresh?: boolean; supportsBrokerEntryMetadata?: boolean;
  supportsPartialProducer?: boolean; supportsTopicWatchers?: boolean;
  supportsGetPartitionedMetadataWithoutAutoCreation?: boolean; supportsReplDedupByLidAndEid?: boolean;
}
export interface AuthData { authMethodName?: string; authData?: Uint8Array }
export interface MessageMetadata {
  producerName: string; sequenceId: U64; publishTime: U64; properties?: KeyValue[];
  replicatedFrom?: string; partitionKey?: string; replicateTo?: string[]; compression?: number;
  uncompressedSize?: number; numMessagesInBatch?: number; eventTime?: U64;
  encryptionKeys?: { key: string; value: Uint8Array }[]; encryptionAlgo?: string; schemaVersion?: Uint8Array;
  partitionKeyB64Encoded?: boolean; orderingKey?: Uint8Array; deliverAtTime?: U64;
  markerType?: number; txnidLeastBits?: U64; txnidMostBits?: U64; highestSequenceId?: U64;
  nullValue?: boolean; uuid?: string; numChunksFromMsg?: number; totalChunkMsgSize?: number;
  chunkId?: number; nullPartitionKey?: boolean;
}
export interface SingleMessageMetadata {
  properties?: KeyValue[]; partitionKey?: string; payloadSize: number; compactedOut?: boolean;
  eventTime?: U64; partitionKeyB64Encoded?: boolean; orderingKey?: Uint8Array; sequenceId?: U64;
  nullValue?: boolean; nullPartitionKey?: boolean;
}
export interface BrokerEntryMetadata { brokerTimestamp?: U64; index?: U64 }

interface WithRequest { requestId: U64 }
interface TxnReply extends WithRequest {
  txnidLeastBits?: U64; txnidMostBits?: U64; error?: number; message?: string;
}

/** BaseCommand with the sub-commands this client reads or writes. */
export interface BaseCommand {
  type: number;
  connect?: {
    clientVersion: string; authData?: Uint8Array; protocolVersion: number; authMethodName?: string;
    proxyToBrokerUrl?: string; featureFlags?: FeatureFlags;
  };
  connected?: { serverVersion: string; protocolVersion?: number; maxMessageSize?: number; featureFlags?: FeatureFlags };
  subscribe?: {
    topic: string; subscription: string; subType: number; consumerId: U64; requestId: U64;
    consumerName?: string; priorityLevel?: number; durable?: boolean; startMessageId?: MessageIdData;
    metadata?: KeyValue[]; readCompacted?: boolean; initialPosition?: number;
    replicateSubscriptionState?: boolean; forceTopicCreation?: boolean;
    startMessageRollbackDurationSec?: U64;
    keySharedMeta?: { keySharedMode: number; hashRanges?: { start: number; end: number }[]; allowOutOfOrderDelivery?: boolean };
    subscriptionProperties?: KeyValue[]; consumerEpoch?: U64; schema?: SchemaData;
  };
  producer?: {
    topic: string; producerId: U64; requestId: U64; producerName?: string; metadata?: KeyValue[];
    epoch?: U64; userProvidedProducerName?: boolean; producerAccessMode?: number; topicEpoch?: U64;
    txnEnabled?: boolean; initialSubscriptionName?: string; schema?: SchemaData;
  };
  getSchema?: { requestId: U64; topic: string; schemaVersion?: Uint8Array };
  getSchemaResponse?: { requestId: U64; errorCode?: number; errorMessage?: string; schema?: SchemaData; schemaVersion?: Uint8Array };
  getOrCreateSchema?: { requestId: U64; topic: string; schema: SchemaData; producerName?: string };
  getOrCreateSchemaResponse?: { requestId: U64; errorCode?: number; errorMessage?: string; schemaVersion?: Uint8Array };
  send?: {
    producerId: U64; sequenceId: U64; numMessages?: number; txnidLeastBits?: U64; txnidMostBits?: U64;
    highestSequenceId?: U64; isChunk?: boolean;
  };
  sendReceipt?: { producerId: U64; sequenceId: U64; messageId?: MessageIdData; highestSequenceId?: U64 };
  sendError?: { producerId: U64; sequenceId: U64; error: number; message: string };
  message?: { consumerId: U64; messageId: MessageIdData; redeliveryCount?: number; ackSet?: U64[]; consumerEpoch?: U64 };
  ack?: {
    consumerId: U64; ackType: number; messageId: MessageIdData[]; validationError?: number;
    txnidLeastBits?: U64; txnidMostBits?: U64; requestId?: U64;
  };
  flow?: { consumerId: U64; messagePermits: number };
  unsubscribe?: { consumerId: U64; requestId: U64; force?: boolean };
  success?: WithRequest;
  error?: { requestId: U64; error: number; message: string };
  closeProducer?: { producerId: U64; requestId: U64; assignedBrokerServiceUrl?: string; assignedBrokerServiceUrlTls?: string };
  closeConsumer?: { consumerId: U64; requestId: U64; assignedBrokerServiceUrl?: string; assignedBrokerServiceUrlTls?: string };
  producerSuccess?: {
    requestId: U64; producerName: string; lastSequenceId?: U64; schemaVersion?: Uint8Array;
    topicEpoch?: U64; producerReady?: boolean;
  };
  ping?: object;
  pong?: object;
  redeliverUnacknowledgedMessages?: { consumerId: U64; messageIds?: MessageIdData[]; consumerEpoch?: U64 };
  partitionMetadata?: { topic: string; requestId: U64; metadataAutoCreationEnabled?: boolean };
  partitionMetadataResponse?: { partitions?: number; requestId: U64; response?: number; error?: number; message?: string };
  lookupTopic?: { topic: string; requestId: U64; authoritative?: boolean; advertisedListenerName?: string };
  lookupTopicResponse?: {
    brokerServiceUrl?: string; brokerServiceUrlTls?: string; response?: number; requestId: U64;
    authoritative?: boolean; error?: number; message?: string; proxyThroughServiceUrl?: boolean;
  };
  reachedEndOfTopic?: { consumerId: U64 };
  seek?: { consumerId: U64; requestId: U64; messageId?: MessageIdData; messagePublishTime?: U64 };
  getLastMessageId?: { consumerId: U64; requestId: U64 };
  getLastMessageIdResponse?: { lastMessageId: MessageIdData; requestId: U64; consumerMarkDeletePosition?: MessageIdData };
  activeConsumerChange?: { consumerId: U64; isActive?: boolean };
  getTopicsOfNamespace?: { requestId: U64; namespace: string; mode?: number; topicsPattern?: string; topicsHash?: string };
  getTopicsOfNamespaceResponse?: { requestId: U64; topics?: string[]; filtered?: boolean; topicsHash?: string; changed?: boolean };
  authChallenge?: { serverVersion?: string; challenge?: AuthData; protocolVersion?: number };
  authResponse?: { clientVersion?: string; response?: AuthData; protocolVersion?: number };
  ackResponse?: { consumerId: U64; txnidLeastBits?: U64; txnidMostBits?: U64; error?: number; message?: string; requestId?: U64 };
  newTxn?: { requestId: U64; txnTtlMillis?: U64; tcId?: U64 };
  newTxnResponse?: TxnReply;
  addPartitionToTxn?: { requestId: U64; txnidLeastBits?: U64; txnidMostBits?: U64; partitions?: string[] };
  addPartitionToTxnResponse?: TxnReply;
  addSubscriptionToTxn?: { requestId: U64; txnidLeastBits?: U64; txnidMostBits?: U64; subscription?: { topic: string; subscription: string }[] };
  addSubscriptionToTxnResponse?: TxnReply;
  endTxn?: { requestId: U64; txnidLeastBits?: U64; txnidMostBits?: U64; txnAction?: number };
  endTxnResponse?: TxnReply;
  tcClientConnectRequest?: { requestId: U64; tcId: U64 };
  tcClientConnectResponse?: { requestId: U64; error?: number; message?: string };
  topicMigrated?: { resourceId: U64; resourceType: number; brokerServiceUrl?: string; brokerServiceUrlTls?: string };
}

/** Proto2 presence: protobufjs puts defaults on the prototype, so only own properties were on the wire. */
export function has<T extends object>(msg: T, field: keyof T): boolean {
  return Object.prototype.hasOwnProperty.call(msg, field);
}

export function toLong(value: bigint, unsigned = true): Long {
  // Sequence ids, producer/consumer ids and entry ids fit in 32 bits: skip three bigint ops.
  if (value >= 0n && value <= 0xffffffffn) return Long.fromBits(Number(value) | 0, 0, unsigned);
  return Long.fromBits(Number(value & 0xffffffffn) | 0, Number((value >> 32n) & 0xffffffffn) | 0, unsigned);
}

/** uint64 (or int64 when `signed`) from the wire to bigint, never through a lossy number. */
export function toBigInt(value: U64 | null | undefined, signed = false): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(value);
  const lo = BigInt(value.low >>> 0);
  const hi = BigInt(value.high >>> 0);
  const u = (hi << 32n) | lo;
  return signed ? BigInt.asIntN(64, u) : u;
}

export function encodeCommand(cmd: BaseCommand): Uint8Array {
  return BaseCommandType.encode(cmd as unknown as protobuf.Message).finish();
}

export function decodeCommand(bytes: Uint8Array): BaseCommand {
  return BaseCommandType.decode(bytes) as unknown as BaseCommand;
}

export function encodeMetadata(md: MessageMetadata): Uint8Array {
  return MessageMetadataType.encode(md as unknown as protobuf.Message).finish();
}

export function decodeMetadata(bytes: Uint8Array): MessageMetadata {
  return MessageMetadataType.decode(bytes) as unknown as MessageMetadata;
}
