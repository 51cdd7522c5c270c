// One function of a pipeline as a loop runs it: its processor, replaced by a fresh one when the
// sandbox fails. A batch whose sandbox fails gets one more try on a fresh processor; if that
// fails too, the caller dead-letters the batch's events with the reason (issue 10's contract).
import type { FunctionIdentity, PrepareResult, ProcessResult, StateSnapshot } from '../contract.ts';
import { DeadLetterReason } from '../contract.ts';
import type { RuntimeFunction } from '../pipeline.ts';
import { SandboxErrorCode, sandboxFailureCode, type BatchProcessor, type ProcessorFactory } from '../processor.ts';
import type { Source } from './envelopes.ts';

export type SlotResult =
  | { ok: true; prepared: PrepareResult; processed: ProcessResult }
  | { ok: false; reason: DeadLetterReason; message: string };

export interface SlotEvents { sandboxFailed(code: string): void }

export class FunctionSlot {
  readonly fn: RuntimeFunction;
  readonly identity: FunctionIdentity;
  #factory: ProcessorFactory;
  #processor: Promise<BatchProcessor> | undefined;
  #events: SlotEvents;

  constructor(fn: RuntimeFunction, identity: FunctionIdentity, factory: ProcessorFactory, events: SlotEvents) {
    this.fn = fn;
    this.identity = identity;
    this.#factory = factory;
    this.#events = events;
  }

  /** Runs prepare then process; `load` gives the state of the prepared keys. Non-sandbox failures throw (the batch aborts). */
  async run(sources: Source[], watermark: number, load: (keys: string[]) => StateSnapshot): Promise<SlotResult> {
    let last: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await this.#attempt(sources, watermark, load);
      } catch (err) {
        const code = sandboxFailureCode(err);
        if (!code) throw err;
        this.#events.sandboxFailed(code);
        last = err;
        await this.#discard();
      }
    }
    const code = sandboxFailureCode(last);
    return {
      ok: false,
      reason: code === SandboxErrorCode.Timeout ? DeadLetterReason.SandboxTimeout : DeadLetterReason.SandboxCrashed,
      message: `${code}: ${(last as Error).message}`,
    };
  }

  async #attempt(sources: Source[], watermark: number, load: (keys: string[]) => StateSnapshot): Promise<SlotResult> {
    this.#processor ??= this.#factory(this.identity).catch((err: unknown) => {
      this.#processor = undefined;
      throw err;
    });
    const processor = await this.#processor;
    const prepared = await processor.prepare(sources.map((s) => s.envelope));
    const keys = [...new Set(prepared.events.flatMap((e) => (e.ok ? [e.key] : [])))];
    const processed = await processor.process({ watermark, config: this.fn.config ?? {}, state: load(keys) });
    return { ok: true, prepared, processed };
  }

  async #discard(): Promise<void> {
    const old = this.#processor;
    this.#processor = undefined;
    await old?.then((p) => p.close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#discard();
  }
}
