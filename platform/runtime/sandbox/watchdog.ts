// The per-call watchdog. It runs in the parent, because a child stuck in `while (true) {}` runs no
// timer of its own. It measures the child's CPU time (user + system, all threads, GC included)
// from /proc/<pid>/stat, not wall time: on a busy shared host a batch may wait for a core through
// no fault of its own, and wall time would kill it; CPU time charges the tenant for what its code
// consumed. A wall-time ceiling backs it up, for a call that waits without burning CPU (a promise
// that never settles) and on systems without /proc, where it is the only bound.
// It also bounds the child's resident memory: --max-old-space-size caps the V8 heap only, while
// ArrayBuffer and Buffer memory lives outside it (a 32 MiB heap can hold 1 GiB of Uint8Arrays).
// Bundle code runs only inside calls (its realm has no timers), so watching during calls suffices.
import { readFileSync } from 'node:fs';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICK_MS = 10;

function readProcFile(pid: number, name: 'stat' | 'status'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'latin1');
  } catch {
    return undefined; // no /proc here, or the process is gone
  }
}

/** CPU time (user + system) the process has used so far in ms, or undefined without /proc or once it is gone. */
export function readCpuTimeMs(pid: number): number | undefined {
  const stat = readProcFile(pid, 'stat');
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: split after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) and stime (field 15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) * TICK_MS;
}

/** Resident memory of the process in MiB (VmRSS), or undefined without /proc or once it is gone. */
export function readResidentMiB(pid: number): number | undefined {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readProcFile(pid, 'status') ?? '')?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

export interface CallBudget {
  /** CPU time the call may use, in ms. */
  cpuTimeMs: number;
  /** Wall time the call may take, in ms. */
  wallTimeMs: number;
  /** Resident memory the child may reach during the call, in MiB (unbounded when absent). */
  residentMiB?: number;
}

export type Overrun =
  | { kind: 'cpu' | 'wall'; usedMs: number; limitMs: number }
  | { kind: 'memory'; usedMiB: number; limitMiB: number };

/** Watches one call of the child `pid`; calls onOverrun once if the budget is exceeded. */
export class CallWatchdog {
  readonly #pid: number;
  readonly #budget: CallBudget;
  readonly #onOverrun: (overrun: Overrun) => void;
  readonly #cpuAtStart: number | undefined;
  readonly #startedAt = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(pid: number, budget: CallBudget, onOverrun: (overrun: Overrun) => void) {
    this.#pid = pid;
    this.#budget = budget;
    this.#onOverrun = onOverrun;
    this.#cpuAtStart = readCpuTimeMs(pid);
    // Poll often enough that an overrun is caught within ~10 % of the budget and memory grows by at
    // most a few hundred MiB between looks, not so often that the watchdog costs: two /proc reads
    // are tens of microseconds.
    const interval = Math.min(50, Math.max(10, Math.floor(Math.min(budget.cpuTimeMs, budget.wallTimeMs) / 10)));
    this.#timer = setInterval(() => this.#check(), interval);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const wall = performance.now() - this.#startedAt;
    if (wall > this.#budget.wallTimeMs) return this.#fire({ kind: 'wall', usedMs: Math.round(wall), limitMs: this.#budget.wallTimeMs });
    const limitMiB = this.#budget.residentMiB;
    const resident = limitMiB === undefined ? undefined : readResidentMiB(this.#pid);
    if (limitMiB !== undefined && resident !== undefined && resident > limitMiB) {
      return this.#fire({ kind: 'memory', usedMiB: Math.round(resident), limitMiB });
    }
    if (this.#cpuAtStart === undefined) return;
    const now = readCpuTimeMs(this.#pid);
    if (now === undefined) return;
    const used = now - this.#cpuAtStart;
    if (used > this.#budget.cpuTimeMs) this.#fire({ kind: 'cpu', usedMs: used, limitMs: this.#budget.cpuTimeMs });
  }

  #fire(overrun: Overrun): void {
    this.stop();
    this.#onOverrun(overrun);
  }
}
