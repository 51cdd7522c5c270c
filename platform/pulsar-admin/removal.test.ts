// removeUntilGone's rules on their own, with fake timers: which failures are retried, how long it
// waits between tries, when it gives up, and what a 404 means (checked against `gone`).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PulsarAdminError, PulsarAdminErrorCode } from './errors.ts';
import { removeUntilGone } from './removal.ts';

const failure = (code: PulsarAdminErrorCode): PulsarAdminError => new PulsarAdminError({ code, message: code });

/** Runs removeUntilGone to its end under fake timers; returns its outcome and when each attempt started. */
async function run(outcomes: (PulsarAdminErrorCode | 'ok')[], gone: boolean[], options: { retryForMs?: number; signal?: AbortSignal } = {}) {
  const start = Date.now();
  const attempts: number[] = [];
  const probes: number[] = [];
  const remove = async (): Promise<void> => {
    attempts.push(Date.now() - start);
    const next = outcomes[Math.min(attempts.length, outcomes.length) - 1]!;
    if (next !== 'ok') throw failure(next);
  };
  const isGone = async (): Promise<boolean> => gone[Math.min(probes.push(Date.now() - start), gone.length) - 1]!;
  const outcome = removeUntilGone(remove, isGone, options).then(() => 'done' as const, (error: PulsarAdminError) => error.code);
  await vi.runAllTimersAsync();
  return { outcome: await outcome, attempts, probes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('removeUntilGone', () => {
  it('retries a retriable failure after 250 ms, doubling to at most 4 s, and gives up with the last error after retryForMs', async () => {
    const { outcome, attempts } = await run([PulsarAdminErrorCode.FENCED], [false], { retryForMs: 10_000 });
    expect(outcome).toBe('FENCED');
    // The next wait (4 s from 7.75 s) would end past 10 s.
    expect(attempts).toEqual([0, 250, 750, 1_750, 3_750, 7_750]);
  });

  it('stops at the first success', async () => {
    const { outcome, attempts } = await run([PulsarAdminErrorCode.TIMEOUT, PulsarAdminErrorCode.UNAVAILABLE, 'ok'], [false]);
    expect(outcome).toBe('done');
    expect(attempts).toEqual([0, 250, 750]);
  });

  it('never retries a failure that is not retriable', async () => {
    const { outcome, attempts } = await run([PulsarAdminErrorCode.FORBIDDEN], [false]);
    expect(outcome).toBe('FORBIDDEN');
    expect(attempts).toEqual([0]);
  });

  it('throws NOT_FOUND when the first attempt finds nothing, and the cluster agrees', async () => {
    const { outcome, attempts, probes } = await run([PulsarAdminErrorCode.NOT_FOUND], [true]);
    expect(outcome).toBe('NOT_FOUND');
    expect(attempts).toHaveLength(1);
    expect(probes).toHaveLength(1);
  });

  it('counts a 404 after a failed attempt as done once the cluster no longer lists the resource', async () => {
    const { outcome, attempts } = await run([PulsarAdminErrorCode.TIMEOUT, PulsarAdminErrorCode.NOT_FOUND], [true]);
    expect(outcome).toBe('done');
    expect(attempts).toHaveLength(2);
  });

  it('goes on deleting after a 404 while the cluster still lists the resource (a namespace of the tenant vanished, not the tenant)', async () => {
    const { outcome, attempts, probes } = await run([PulsarAdminErrorCode.FENCED, PulsarAdminErrorCode.NOT_FOUND, PulsarAdminErrorCode.NOT_FOUND, 'ok'], [false, false]);
    expect(outcome).toBe('done');
    expect(attempts).toHaveLength(4);
    expect(probes).toHaveLength(2);
  });

  it('gives up on a resource that keeps answering 404 but stays listed with NOT_GONE, which is retriable', async () => {
    const { outcome } = await run([PulsarAdminErrorCode.NOT_FOUND], [false], { retryForMs: 2_000 });
    expect(outcome).toBe('NOT_GONE');
    expect(failure(PulsarAdminErrorCode.NOT_GONE).retriable).toBe(true);
  });

  it('stops retrying once the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const { outcome, attempts } = await run([PulsarAdminErrorCode.FENCED], [false], { signal: controller.signal });
    expect(outcome).toBe('FENCED');
    expect(attempts).toEqual([0]);
  });
});
