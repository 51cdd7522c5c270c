// Exponential backoff with jitter (PROTOCOL.md §6.2): doubles from `initialMs` to `maxMs`; each
// delay is randomised within ±`jitter` so that many clients do not reconnect in lockstep.
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  #initial: number;
  #max: number;
  #jitter: number;
  #random: () => number;
  #current: number;
  attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 100;
    this.#max = options.maxMs ?? 60_000;
    this.#jitter = options.jitter ?? 0.2;
    this.#random = options.random ?? Math.random;
    this.#current = this.#initial;
  }

  next(): number {
    const base = this.#current;
    this.#current = Math.min(this.#max, this.#current * 2);
    this.attempts++;
    const spread = base * this.#jitter * (this.#random() * 2 - 1);
    return Math.max(0, Math.min(this.#max, Math.round(base + spread)));
  }

  reset(): void {
    this.#current = this.#initial;
    this.attempts = 0;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { clearTimeout(timer); resolve(); };
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
