// Function bundles: a manifest and the files (built JS, or TypeScript source the runtime will
// transpile). Validated here for size, manifest and entry point; the runtime (a later issue) runs
// them. Each upload gets the next version number of that function within the tenant.
import { z } from 'zod';
import { ResourceName, Timestamp } from './common.ts';

export const BUNDLE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.\-/]{1,200}$/;

export const FunctionManifest = z
  .strictObject({
    name: ResourceName,
    language: z.enum(['typescript', 'javascript']).default('typescript'),
    entry: z.string().regex(BUNDLE_PATH, 'a relative path inside the bundle').describe('module whose default export is the function'),
    label: z.string().max(64).optional().describe('the author\'s own version label, e.g. 1.4.0'),
    description: z.string().max(500).optional(),
    sdk: z.string().max(32).optional().describe('SDK version the bundle was written against'),
  })
  .meta({ id: 'FunctionManifest' });
export type FunctionManifest = z.infer<typeof FunctionManifest>;

export const FunctionBundle = z
  .strictObject({
    manifest: FunctionManifest,
    files: z.record(z.string().regex(BUNDLE_PATH, 'a relative path inside the bundle'), z.string()).describe('path → UTF-8 file content'),
  })
  .meta({ id: 'FunctionBundle' });
export type FunctionBundle = z.infer<typeof FunctionBundle>;

export const FunctionVersion = z
  .strictObject({
    tenant: z.string(),
    name: ResourceName,
    version: z.number().int().min(1),
    manifest: FunctionManifest,
    sha256: z.string(),
    sizeBytes: z.number().int().min(0),
    files: z.array(z.string()),
    createdAt: Timestamp,
  })
  .meta({ id: 'FunctionVersion' });
export type FunctionVersion = z.infer<typeof FunctionVersion>;

export const FunctionSummary = z
  .strictObject({
    name: ResourceName,
    latest: z.number().int().min(1),
    versions: z.array(FunctionVersion.omit({ files: true })),
  })
  .meta({ id: 'FunctionSummary' });

export const FunctionVersionWithFiles = FunctionVersion.extend({ content: z.record(z.string(), z.string()) }).meta({ id: 'FunctionVersionWithFiles' });
