export { TransactionCoordinatorClient, TC_ASSIGN_TOPIC } from './coordinator-client.ts';
export { Transaction, TransactionState, type TransactionOptions } from './transaction.ts';
