// Per-user count and sum over a 5-minute sliding event-time window (reference workload 2,
// DESIGN.md). Types are declared here until the SDK exists.
interface Transaction {
  eventId: string;
  userId: string;
  amount: number;
  currency: string;
  ts: number;
}

interface Context {
  emit(topic: string, value: unknown): void;
  state: { get(key: string): Transaction[] | undefined; set(key: string, recent: Transaction[]): void };
}

const WINDOW_MS = 5 * 60_000;

export default {
  name: 'fraud-features',
  key: (tx: Transaction) => tx.userId,
  process(tx: Transaction, ctx: Context): void {
    const recent = (ctx.state.get(tx.userId) ?? []).filter((x) => x.ts > tx.ts - WINDOW_MS);
    recent.push(tx);
    ctx.state.set(tx.userId, recent);
    ctx.emit('features', {
      userId: tx.userId,
      eventId: tx.eventId,
      count5m: recent.length,
      sum5m: recent.reduce((sum, x) => sum + x.amount, 0),
    });
  },
};
