// The worker's default ProcessorFactory: each function version of the pipelines runs in a
// SandboxProcessor (a child process, platform/runtime/sandbox) over the bundle its pipeline names.
// Bundles are read once, at construction, so a missing or broken folder fails the worker's start
// rather than every batch. A SandboxProcessor keeps the batch it last prepared for the process()
// that follows, so it serves one loop: every partition loop gets its own (the slot asks for a
// fresh one after a sandbox failure); they share one work directory, where the child's own
// script is built once.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FunctionIdentity } from './contract.ts';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';
import { resolveBundle, type FunctionBundle } from './function-bundle.ts';
import type { RuntimePipeline } from './pipeline.ts';
import type { ProcessorFactory } from './processor.ts';
import { SandboxProcessor, type SandboxLimits } from './sandbox/index.ts';

export interface SandboxProcessorsOptions {
  /** Where folder bundles are resolved from: the pipelines file's directory. */
  baseDir: string;
  limits?: Partial<SandboxLimits>;
  logger?: Logger;
}

const versionKey = (id: FunctionIdentity): string => `${id.tenant}/${id.pipeline}/${id.function}@${id.version}`;

export class SandboxProcessors {
  readonly #bundles = new Map<string, FunctionBundle>();
  readonly #workDir = mkdtempSync(path.join(os.tmpdir(), 'lodestar-worker-sandboxes-'));
  readonly #options: SandboxProcessorsOptions;

  constructor(pipelines: readonly RuntimePipeline[], options: SandboxProcessorsOptions) {
    this.#options = options;
    for (const p of pipelines) {
      for (const fn of p.spec.functions) {
        const id = { tenant: p.tenant, pipeline: p.spec.name, function: fn.name, version: fn.version };
        if (fn.bundle === undefined) {
          throw new RuntimeError(RuntimeErrorCode.InvalidPipeline, `${versionKey(id)}: no bundle (a folder with manifest.json, or { entry, files })`);
        }
        this.#bundles.set(versionKey(id), resolveBundle(fn.bundle, options.baseDir));
      }
    }
  }

  readonly factory: ProcessorFactory = async (identity) => {
    const bundle = this.#bundles.get(versionKey(identity));
    if (bundle === undefined) throw new RuntimeError(RuntimeErrorCode.InvalidPipeline, `${versionKey(identity)}: not a function version of this worker's pipelines`);
    const log = this.#options.logger?.child({ function: versionKey(identity) });
    const processor = new SandboxProcessor({
      identity, bundle, workDir: this.#workDir,
      ...(this.#options.limits ? { limits: this.#options.limits } : {}),
      ...(log ? { onLog: (entry) => log[entry.level]({ from: 'function' }, entry.msg) } : {}),
    });
    try {
      await processor.start();
    } catch (err) {
      await processor.close();
      throw err;
    }
    return processor;
  };

  /** Removes the built files; call after the worker has stopped (its processors are closed). */
  dispose(): void {
    rmSync(this.#workDir, { recursive: true, force: true });
  }
}
