// The client-wide budget for bytes that producers hold until the broker acknowledges them
// (Java's MemoryLimitController, `memoryLimitBytes`). One per client, shared by every producer,
// so many producers cannot together queue more than the limit.
export class MemoryLimit {
  readonly limitBytes: number;
  #used = 0;
  #waiters: { bytes: number; resolve(): void }[] = [];

  /** `limitBytes` 0 means no limit. */
  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get usedBytes(): number {
    return this.#used;
  }

  /**
   * Takes `bytes` if they fit now and nobody waits before us. A reservation larger than the whole
   * limit is granted when nothing else is held, or it could never be granted at all.
   */
  tryReserve(bytes: number): boolean {
    if (this.limitBytes === 0) return true;
    if (this.#waiters.length > 0 || !this.#fits(bytes)) return false;
    this.#used += bytes;
    return true;
  }

  /** Waits, in arrival order, until `bytes` fit; `abort` gives up (the reservation is then not held). */
  reserve(bytes: number, abort?: AbortSignal): Promise<void> {
    if (this.tryReserve(bytes)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { bytes, resolve };
      this.#waiters.push(waiter);
      abort?.addEventListener('abort', () => {
        const at = this.#waiters.indexOf(waiter);
        if (at < 0) return;
        this.#waiters.splice(at, 1);
        reject(abort.reason);
        this.#grant();
      }, { once: true });
    });
  }

  release(bytes: number): void {
    if (this.limitBytes === 0 || bytes === 0) return;
    this.#used = Math.max(0, this.#used - bytes);
    this.#grant();
  }

  #fits(bytes: number): boolean {
    return this.#used === 0 || this.#used + bytes <= this.limitBytes;
  }

  #grant(): void {
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.bytes)) {
      const w = this.#waiters.shift()!;
      this.#used += w.bytes;
      w.resolve();
    }
  }
}
