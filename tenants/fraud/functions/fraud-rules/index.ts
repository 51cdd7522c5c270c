// Rule "rapid-high-value": at least `rapidCount` transactions above `highValue` within the
// feature window → decide `review`. Every decision carries its inputs for the audit trail.
interface Features {
  userId: string;
  eventId: string;
  count5m: number;
  sum5m: number;
}

interface Context {
  config: { highValue: number; rapidCount: number };
  decide(action: string, details: Record<string, unknown>): void;
}

export default {
  name: 'fraud-rules',
  key: (f: Features) => f.userId,
  process(f: Features, ctx: Context): void {
    const { highValue, rapidCount } = ctx.config;
    if (f.count5m >= rapidCount && f.sum5m >= highValue * rapidCount) {
      ctx.decide('review', { reason: 'rapid-high-value', inputs: f });
    }
  },
};
