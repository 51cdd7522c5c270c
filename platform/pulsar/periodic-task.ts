// A task that runs every `intervalMs` until stopped, never overlapping itself: partition
// auto-update and topic-pattern re-discovery poll the broker this way (Java's
// autoUpdatePartitionsInterval and patternAutoDiscoveryPeriod). Its timer does not keep the
// process alive, and a failed run is logged and tried again at the next tick.
import type { Logger } from './instrumentation.ts';

export class PeriodicTask {
  #intervalMs: number;
  #run: () => Promise<void>;
  #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(intervalMs: number, run: () => Promise<void>, onError: (err: unknown) => void) {
    this.#intervalMs = intervalMs;
    this.#run = run;
    this.#onError = onError;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#running = this.#run().catch((err: unknown) => { if (!this.#stopped) this.#onError(err); });
    await this.#running;
    this.#running = undefined;
    this.#schedule();
  }

  /** No further runs; resolves once a run in progress has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

/** A PeriodicTask, or none when `intervalMs` is 0 (off). */
export function startPeriodic(intervalMs: number, run: () => Promise<void>, logger: Logger, what: string): PeriodicTask | undefined {
  if (!(intervalMs > 0)) return undefined;
  return new PeriodicTask(intervalMs, run, (err) => logger.warn({ err: String(err) }, `${what} failed; retrying at the next tick`));
}
