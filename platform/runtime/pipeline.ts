// What a worker runs: a pipeline spec (the part the runtime reads, in the shape the control
// plane stores) with its tenant and the function versions that are active. Parsed with zod so a
// bad pipelines file fails at start with the field named.
import { z } from 'zod';

const Topic = z.object({ name: z.string().min(1), partitions: z.number().int().min(1) });

/** A function version's code: a folder holding manifest.json (its `entry`) and the sources, or
 *  the control plane's FunctionBundle `{ entry, files }` (bundle-relative path → UTF-8 source). */
export const FunctionBundleRef = z.union([
  z.string().min(1),
  z.object({ entry: z.string().min(1), files: z.record(z.string(), z.string()) }),
]);
export type FunctionBundleRef = z.infer<typeof FunctionBundleRef>;

export const RuntimeFunction = z.object({
  name: z.string().min(1).regex(/^[^:]+$/, 'no colon: it separates function and key in changelog keys'),
  version: z.number().int().min(1),
  config: z.record(z.string(), z.unknown()).optional(),
  /** What the sandbox runs; a folder is resolved against the pipelines file's directory. */
  bundle: FunctionBundleRef.optional(),
});

export const RuntimePipeline = z.object({
  tenant: z.string().min(1),
  spec: z.object({
    name: z.string().min(1),
    activeRegion: z.string().min(1),
    inputs: z.array(Topic).min(1),
    functions: z.array(RuntimeFunction).min(1),
    outputs: z.array(Topic),
    decisions: Topic.optional(),
    audit: Topic.optional(),
    deadLetter: Topic,
  }),
});
export type RuntimePipeline = z.infer<typeof RuntimePipeline>;
export type RuntimeFunction = z.infer<typeof RuntimeFunction>;

export const RuntimePipelines = z.array(RuntimePipeline);
