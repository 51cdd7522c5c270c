// What producers, consumers and transactions share from their client. Kept in its own module
// so that those folders do not import the client (no cycles).
import type { Instrumentation, Logger } from './instrumentation.ts';
import type { BackoffOptions, ConnectionPool, LookupService } from './network/index.ts';
import type { MemoryLimit } from './memory-limit.ts';

export interface ClientContext {
  pool: ConnectionPool;
  lookup: LookupService;
  logger: Logger;
  instrumentation: Instrumentation;
  operationTimeoutMs: number;
  backoff: BackoffOptions;
  /** Resolves once the client is closing: loops waiting on a backoff stop. */
  closing: AbortSignal;
  /** Bytes every producer of the client holds until acknowledged (memoryLimitBytes). */
  memory: MemoryLimit;
}

/** The part of a transaction that producers and consumers use (transactions/ implements it). */
export interface TransactionHandle {
  readonly mostBits: bigint;
  readonly leastBits: bigint;
  /** Throws unless the transaction is open. */
  assertOpen(): void;
  /** ADD_PARTITION_TO_TXN, once per partition topic (PROTOCOL.md §5.4 step 4). */
  registerProducedPartition(topic: string): Promise<void>;
  /** ADD_SUBSCRIPTION_TO_TXN, once per (partition topic, subscription) (§5.4 step 6). */
  registerAckedSubscription(topic: string, subscription: string): Promise<void>;
  /** Commit waits for every tracked send and ack; a failed one turns commit into abort. */
  track(operation: Promise<unknown>): void;
  /** Run `listener` (once, however often it is added) when the transaction is aborted. */
  afterAbort(listener: () => void): void;
}
