// /admin/v3/transactions (admin/v3/Transactions.java, impl/TransactionsBase.java). A cluster has
// one coordinator per partition of `pulsar/system/transaction_coordinator_assign`. Both calls
// answer 503 when the broker runs with transactionCoordinatorEnabled=false, and coordinatorStats
// answers 404 until the coordinator topic exists.
import type { AdminHttp, CallOptions } from './http.ts';

export interface TransactionCoordinatorInfo {
  id: number;
  /** pulsar://host:port of the broker that owns this coordinator. */
  brokerServiceUrl: string;
}

export interface TransactionCoordinatorStats {
  /** `Ready` once recovered and serving; also None, Initializing, Closing, Closed. */
  state: string;
  /** The coordinator's sequence: the next transaction id's least significant bits. */
  leastSigBits: number;
  lowWaterMark: number;
  ongoingTxnSize: number;
  recoverStartTime?: number;
  recoverEndTime?: number;
  [field: string]: unknown;
}

export class Transactions {
  readonly #http: AdminHttp;

  constructor(http: AdminHttp) {
    this.#http = http;
  }

  async coordinators(options?: CallOptions): Promise<TransactionCoordinatorInfo[]> {
    return this.#http.get<TransactionCoordinatorInfo[]>('/admin/v3/transactions/coordinators', options);
  }

  /** Stats of every coordinator, keyed by coordinator id. */
  async coordinatorStats(options?: CallOptions): Promise<Record<string, TransactionCoordinatorStats>> {
    return this.#http.get<Record<string, TransactionCoordinatorStats>>('/admin/v3/transactions/coordinatorStats', options);
  }

  async coordinatorStatsById(coordinatorId: number, options?: CallOptions): Promise<TransactionCoordinatorStats> {
    return this.#http.get<TransactionCoordinatorStats>('/admin/v3/transactions/coordinatorStats', {
      ...options,
      query: { coordinatorId },
    });
  }

  /** True when at least one coordinator exists and every one is Ready. */
  async coordinatorsReady(options?: CallOptions): Promise<boolean> {
    const stats = Object.values(await this.coordinatorStats(options));
    return stats.length > 0 && stats.every((s) => s.state === 'Ready');
  }
}
