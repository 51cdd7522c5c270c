// Transaction coordinator discovery and requests (PROTOCOL.md §5.1, §5.5). TCs are the partitions
// of persistent://pulsar/system/transaction_coordinator_assign; TC id = partition index. Each TC
// is looked up, connected and greeted with TC_CLIENT_CONNECT_REQUEST before use. A request that
// meets TransactionCoordinatorNotFound was not processed, so it is retried on a fresh
// connection; END_TXN whose reply was lost is *not* retried (its outcome is unknown).
import { ClientErrorCode, PulsarConnectionError, PulsarError, PulsarTimeoutError } from '../errors.ts';
import type { ClientContext } from '../context.ts';
import { Backoff, sleep, type Connection } from '../network/index.ts';
import { CommandType, toBigInt, toLong, type BaseCommand } from '../protocol/index.ts';
import { Transaction, type TransactionOptions } from './transaction.ts';

export const TC_ASSIGN_TOPIC = 'persistent://pulsar/system/transaction_coordinator_assign';

export class TransactionCoordinatorClient {
  #ctx: ClientContext;
  #count: Promise<number> | undefined;
  #connections = new Map<number, Promise<Connection>>();
  #next = 0;

  constructor(ctx: ClientContext) {
    this.#ctx = ctx;
  }

  #coordinators(): Promise<number> {
    this.#count ??= this.#ctx.lookup.partitions(TC_ASSIGN_TOPIC).then((n) => {
      if (n <= 0) throw new PulsarError(ClientErrorCode.TransactionsDisabled, 'transactions are not enabled on the broker (no coordinators)');
      return n;
    });
    this.#count.catch(() => { this.#count = undefined; });
    return this.#count;
  }

  #connection(tcId: number): Promise<Connection> {
    const existing = this.#connections.get(tcId);
    if (existing) {
      return existing.then((c) => (c.closed ? this.#connect(tcId) : c), () => this.#connect(tcId));
    }
    return this.#connect(tcId);
  }

  #connect(tcId: number): Promise<Connection> {
    const created = (async () => {
      const { logical, physical } = await this.#ctx.lookup.lookup(`${TC_ASSIGN_TOPIC}-partition-${tcId}`);
      const cnx = await this.#ctx.pool.get(logical, physical);
      // Needed on v ≥ 19, or the TC store may not be loaded on this broker (§5.1).
      if (cnx.protocolVersion > 18) {
        await cnx.request({ type: CommandType.TC_CLIENT_CONNECT_REQUEST, tcClientConnectRequest: { requestId: 0, tcId: toLong(BigInt(tcId)) } });
      }
      return cnx;
    })();
    this.#connections.set(tcId, created);
    created.catch(() => { if (this.#connections.get(tcId) === created) this.#connections.delete(tcId); });
    return created;
  }

  /**
   * Send a TC command, retrying while the coordinator is not found or the connection could not
   * be used, until the operation timeout. `idempotent` requests are also retried after a lost
   * reply; END_TXN is not (a later transaction must never be hit by an old commit or abort).
   */
  async request(tcId: number, build: () => BaseCommand, idempotent: boolean): Promise<BaseCommand> {
    const deadline = Date.now() + this.#ctx.operationTimeoutMs;
    const backoff = new Backoff({ initialMs: 100, maxMs: 6_000 });
    for (;;) {
      let sent = false;
      try {
        const cnx = await this.#connection(tcId);
        sent = !cnx.closed;
        return await cnx.request(build(), { timeoutMs: Math.max(1, deadline - Date.now()) });
      } catch (err) {
        const e = err instanceof PulsarError ? err : new PulsarConnectionError(String(err), { cause: err });
        const notProcessed = e.code === 'TransactionCoordinatorNotFound' || !sent;
        const lostReply = e instanceof PulsarTimeoutError || e instanceof PulsarConnectionError;
        if (!(notProcessed || (idempotent && lostReply)) || !e.retriable && !lostReply) throw e;
        if (Date.now() + 100 >= deadline) throw e;
        this.#connections.delete(tcId);
        await sleep(Math.min(backoff.next(), Math.max(0, deadline - Date.now())), this.#ctx.closing);
        if (this.#ctx.closing.aborted) throw e;
      }
    }
  }

  async newTransaction(options: TransactionOptions = {}): Promise<Transaction> {
    const count = await this.#coordinators();
    const tcId = this.#next++ % count;
    const timeoutMs = options.timeoutMs ?? 60_000;
    // Field 2 is named txn_ttl_seconds upstream but carries MILLISECONDS (PROTOCOL.md §5.2).
    const res = await this.request(tcId, () => ({ type: CommandType.NEW_TXN, newTxn: { requestId: 0, txnTtlMillis: toLong(BigInt(timeoutMs)), tcId: toLong(BigInt(tcId)) } }), true);
    const r = res.newTxnResponse!;
    const txn = new Transaction(this, toBigInt(r.txnidMostBits), toBigInt(r.txnidLeastBits), timeoutMs, this.#ctx);
    this.#ctx.instrumentation.emit('transaction.begin', () => ({ txnId: txn.id }));
    return txn;
  }

  /**
   * Discover every coordinator and send each its TC_CLIENT_CONNECT, retrying retriable failures
   * with backoff until the operation timeout. The broker loads a coordinator's store on that
   * first connect (§5.1), so this readies them all up front. Returns how many there are.
   */
  async connectAll(): Promise<number> {
    const deadline = Date.now() + this.#ctx.operationTimeoutMs;
    const backoff = new Backoff({ initialMs: 100, maxMs: 2_000 });
    for (;;) {
      try {
        const count = await this.#coordinators();
        await Promise.all(Array.from({ length: count }, (_, tcId) => this.#connection(tcId)));
        return count;
      } catch (err) {
        const e = err instanceof PulsarError ? err : new PulsarConnectionError(String(err), { cause: err });
        if (!e.retriable || Date.now() + 100 >= deadline || this.#ctx.closing.aborted) throw e;
        await sleep(Math.min(backoff.next(), Math.max(0, deadline - Date.now())), this.#ctx.closing);
      }
    }
  }

  /** Forget coordinator connections (after a cluster switch). */
  async reset(): Promise<void> {
    this.#connections.clear();
    this.#count = undefined;
  }

  async close(): Promise<void> {
    this.#connections.clear();
  }
}
