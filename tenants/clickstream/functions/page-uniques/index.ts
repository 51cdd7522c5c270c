// Unique users per page per 1-minute tumbling window (reference workload 1, DESIGN.md). Written
// against the function API sketch in DESIGN.md; the SDK that provides the window state and the
// runtime that calls it are later issues, so the types it needs are declared here.
interface Click {
  eventId: string;
  userId: string;
  page: string;
  ts: number;
}

interface Context {
  /** The watermark: event time, never the wall clock. */
  now(): number;
  emit(topic: string, value: unknown): void;
  state: { get(key: string): string[] | undefined; set(key: string, users: string[]): void };
}

const WINDOW_MS = 60_000;

export default {
  name: 'page-uniques',
  key: (click: Click) => click.page,
  process(click: Click, ctx: Context): void {
    const windowStart = click.ts - (click.ts % WINDOW_MS);
    if (windowStart + WINDOW_MS <= ctx.now()) {
      ctx.emit('late-clicks', click);
      return;
    }
    const key = `${click.page}@${windowStart}`;
    const users = new Set(ctx.state.get(key) ?? []);
    users.add(click.userId);
    ctx.state.set(key, [...users]);
    ctx.emit('page-uniques-1m', { page: click.page, windowStart, uniqueUsers: users.size });
  },
};
