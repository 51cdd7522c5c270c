// One transaction and its state machine (PROTOCOL.md §5.4):
//   OPEN → COMMITTING → COMMITTED | ABORTED (a failed operation turns commit into abort)
//   OPEN → ABORTING → ABORTED;  OPEN → TIMED_OUT (local timer at the TTL; the TC aborts it)
//   COMMITTING/ABORTING → UNKNOWN when END_TXN's reply is lost: it is never resent, because
//   resending could end a transaction whose outcome the TC already decided.
import { ClientErrorCode, PulsarError, PulsarTimeoutError, PulsarConnectionError } from '../errors.ts';
import type { ClientContext, TransactionHandle } from '../context.ts';
import { CommandType, toLong } from '../protocol/index.ts';
import type { TransactionCoordinatorClient } from './coordinator-client.ts';

export interface TransactionOptions {
  /** TTL after which the coordinator aborts the transaction. Default 60 s (Java's). */
  timeoutMs?: number;
}

export const TransactionState = {
  Open: 'OPEN', Committing: 'COMMITTING', Aborting: 'ABORTING', Committed: 'COMMITTED', Aborted: 'ABORTED',
  TimedOut: 'TIMED_OUT', Error: 'ERROR', Unknown: 'UNKNOWN',
} as const;
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState];

const TxnAction = { Commit: 0, Abort: 1 } as const;

export class Transaction implements TransactionHandle {
  readonly mostBits: bigint;
  readonly leastBits: bigint;
  #tc: TransactionCoordinatorClient;
  #ctx: ClientContext;
  #state: TransactionState = TransactionState.Open;
  #partitions = new Map<string, Promise<void>>();
  #subscriptions = new Map<string, Promise<void>>();
  #operations: Promise<unknown>[] = [];
  #abortListeners = new Set<() => void>();
  #timer: NodeJS.Timeout;

  constructor(tc: TransactionCoordinatorClient, mostBits: bigint, leastBits: bigint, timeoutMs: number, ctx: ClientContext) {
    this.#tc = tc;
    this.#ctx = ctx;
    this.mostBits = mostBits;
    this.leastBits = leastBits;
    this.#timer = setTimeout(() => {
      if (this.#state === TransactionState.Open) this.#state = TransactionState.TimedOut;
    }, timeoutMs);
    this.#timer.unref();
  }

  get id(): string {
    return `(${this.mostBits},${this.leastBits})`;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** All TC commands of a transaction go to TC = most significant bits (§5.1). */
  get #tcId(): number {
    return Number(this.mostBits);
  }

  assertOpen(): void {
    if (this.#state !== TransactionState.Open) {
      throw new PulsarError(ClientErrorCode.TransactionState, `transaction ${this.id} is ${this.#state}`);
    }
  }

  registerProducedPartition(topic: string): Promise<void> {
    let p = this.#partitions.get(topic);
    if (!p) {
      p = this.#tc.request(this.#tcId, () => ({
        type: CommandType.ADD_PARTITION_TO_TXN,
        addPartitionToTxn: { requestId: 0, txnidMostBits: toLong(this.mostBits), txnidLeastBits: toLong(this.leastBits), partitions: [topic] },
      }), true).then(() => undefined);
      this.#partitions.set(topic, p);
      this.track(p);
    }
    return p;
  }

  registerAckedSubscription(topic: string, subscription: string): Promise<void> {
    const key = `${topic}\u0000${subscription}`;
    let p = this.#subscriptions.get(key);
    if (!p) {
      p = this.#tc.request(this.#tcId, () => ({
        type: CommandType.ADD_SUBSCRIPTION_TO_TXN,
        addSubscriptionToTxn: {
          requestId: 0, txnidMostBits: toLong(this.mostBits), txnidLeastBits: toLong(this.leastBits),
          subscription: [{ topic, subscription }],
        },
      }), true).then(() => undefined);
      this.#subscriptions.set(key, p);
      this.track(p);
    }
    return p;
  }

  afterAbort(listener: () => void): void {
    this.#abortListeners.add(listener);
  }

  track(operation: Promise<unknown>): void {
    operation.catch(() => undefined); // observed at commit; never an unhandled rejection
    this.#operations.push(operation);
  }

  /** Commit once every send and ack of the transaction has settled; any failure aborts instead. */
  async commit(): Promise<void> {
    this.assertOpen();
    this.#state = TransactionState.Committing;
    const results = await this.#settleOperations();
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      this.#state = TransactionState.Aborting;
      await this.#end(TxnAction.Abort).catch(() => undefined);
      throw new PulsarError(ClientErrorCode.TransactionState, `transaction ${this.id} aborted: an operation failed`, { cause: failed.reason });
    }
    await this.#end(TxnAction.Commit);
  }

  /** Waits for every tracked operation, including those tracked while waiting. */
  async #settleOperations(): Promise<PromiseSettledResult<unknown>[]> {
    const results: PromiseSettledResult<unknown>[] = [];
    while (results.length < this.#operations.length) {
      results.push(...await Promise.allSettled(this.#operations.slice(results.length)));
    }
    return results;
  }

  async abort(): Promise<void> {
    if (this.#state === TransactionState.TimedOut) {
      // The TC aborts timed-out transactions by itself; try anyway, it is harmless.
      this.#state = TransactionState.Open;
    }
    this.assertOpen();
    this.#state = TransactionState.Aborting;
    await this.#settleOperations();
    await this.#end(TxnAction.Abort);
  }

  async #end(action: number): Promise<void> {
    clearTimeout(this.#timer);
    const name = action === TxnAction.Commit ? 'commit' : 'abort';
    try {
      await this.#sendEnd(action, name);
    } finally {
      // Consumers learn of an abort whatever END_TXN's outcome: a redelivery is always safe.
      if (action === TxnAction.Abort) this.#notifyAbort();
    }
  }

  #notifyAbort(): void {
    const listeners = [...this.#abortListeners];
    this.#abortListeners.clear();
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        this.#ctx.logger.warn({ txnId: this.id, err: String(err) }, 'abort listener failed');
      }
    }
  }

  async #sendEnd(action: number, name: 'commit' | 'abort'): Promise<void> {
    try {
      await this.#tc.request(this.#tcId, () => ({
        type: CommandType.END_TXN,
        endTxn: { requestId: 0, txnidMostBits: toLong(this.mostBits), txnidLeastBits: toLong(this.leastBits), txnAction: action },
      }), false);
    } catch (err) {
      if (err instanceof PulsarTimeoutError || err instanceof PulsarConnectionError) {
        this.#state = TransactionState.Unknown;
        this.#ctx.instrumentation.emit('transaction.end', () => ({ txnId: this.id, action: name, outcome: 'unknown' }));
        throw new PulsarError(ClientErrorCode.TransactionOutcomeUnknown,
          `${name} of transaction ${this.id} sent but its outcome is unknown; it is not resent`, { cause: err });
      }
      this.#state = TransactionState.Error;
      this.#ctx.instrumentation.emit('transaction.end', () => ({ txnId: this.id, action: name, outcome: 'error' }));
      throw err;
    }
    this.#state = action === TxnAction.Commit ? TransactionState.Committed : TransactionState.Aborted;
    this.#ctx.instrumentation.emit('transaction.end', () => ({ txnId: this.id, action: name, outcome: 'ok' }));
  }
}
