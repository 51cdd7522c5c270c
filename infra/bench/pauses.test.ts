import { describe, expect, it } from 'vitest';
import { watchPauses } from './pauses.ts';

describe('watchPauses', () => {
  it('sees the event loop held by synchronous work', async () => {
    const stop = watchPauses();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const until = performance.now() + 80;
    while (performance.now() < until) { /* hold the loop */ }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const pauses = stop();
    expect(pauses.loopDelayMaxMs).toBeGreaterThanOrEqual(60);
    expect(pauses.gcTotalMs).toBeGreaterThanOrEqual(pauses.gcMaxMs);
  });
});
