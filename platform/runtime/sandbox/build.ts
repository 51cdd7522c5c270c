// Bundles become one CommonJS file with esbuild, in the worker, before a sandbox starts: the child
// may read only that file, so everything the function imports must already be inside it.
// - The tenant's files come from memory (the control plane's FunctionBundle `files`), through a
//   virtual namespace: a relative import resolves only to another file of the bundle.
// - `@lodestar/sdk` is aliased to the runtime's SDK, so the executor the child runs is the one
//   this worker was built with, whatever SDK version the author had.
// - Other packages must be on an allow-list (zod) and come from the runtime's node_modules.
// - Node builtins stay `require()` calls; inside the sandbox only allowed ones resolve.
// The child's own entry is built the same way, so it too is a single file the child may read.
import * as esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError, SandboxErrorCode } from './errors.ts';
import { EXECUTOR_EXPORT } from './protocol.ts';

/** A function bundle as the control plane stores it: bundle-relative path → UTF-8 source. */
export interface BundleSource {
  entry: string;
  files: Record<string, string>;
}

export interface BundleBuildOptions {
  /** File the `@lodestar/sdk` import resolves to (the runtime's SDK entry). */
  sdkEntry: string;
  /** The SDK export that turns (definition, identity) into an executor. */
  executorExport: string;
  /** Packages (besides @lodestar/sdk) a bundle may import, resolved from `resolveDir`'s node_modules. */
  allowedPackages: readonly string[];
  /** Directory whose node_modules serve the allowed packages (the repository root). */
  resolveDir: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const DEFAULT_BUILD_OPTIONS: Readonly<BundleBuildOptions> = Object.freeze({
  sdkEntry: fileURLToPath(new URL('../../sdk/index.ts', import.meta.url)),
  executorExport: 'createExecutor',
  allowedPackages: Object.freeze(['zod']),
  resolveDir: REPO_ROOT,
});


const BUNDLE_NS = 'lodestar-bundle';
// A colon can never appear in a bundle path (the control plane's BUNDLE_PATH), so no tenant file
// can shadow the wrapper.
const WRAPPER_PATH = '/:lodestar-wrapper.js';
const BUILTINS = new Set(builtinModules);
const LOADERS: Record<string, esbuild.Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.json': 'json' };
const RESOLVE_SUFFIXES = ['', '.ts', '.js', '.mts', '.mjs', '.json', '/index.ts', '/index.js'];

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(packageName(specifier));
}

function bundlePlugin(source: BundleSource, options: BundleBuildOptions): esbuild.Plugin {
  const files = new Map(Object.entries(source.files).map(([path, text]) => [posix.join('/', path), text]));
  const wrapper = [
    `import definition from ${JSON.stringify(posix.join('/', source.entry))};`,
    `import { ${options.executorExport} as createExecutor } from '@lodestar/sdk';`,
    `export function ${EXECUTOR_EXPORT}(identity) { return createExecutor(definition, identity); }`,
  ].join('\n');
  return {
    name: 'lodestar-bundle',
    setup(build) {
      build.onResolve({ filter: /^lodestar:wrapper$/ }, () => ({ path: WRAPPER_PATH, namespace: BUNDLE_NS }));
      build.onResolve({ filter: /.*/, namespace: BUNDLE_NS }, async (args) => {
        const spec = args.path;
        if (spec === '@lodestar/sdk') return { path: options.sdkEntry };
        if (spec.startsWith('/') || spec.startsWith('.')) {
          const base = spec.startsWith('/') ? spec : posix.join(posix.dirname(args.importer), spec);
          const found = RESOLVE_SUFFIXES.map((s) => base + s).find((p) => files.has(p));
          if (found === undefined) return { errors: [{ text: `${spec} is not a file of the bundle` }] };
          return { path: found, namespace: BUNDLE_NS };
        }
        if (isBuiltin(spec)) return { path: spec, external: true };
        if (!options.allowedPackages.includes(packageName(spec))) {
          return { errors: [{ text: `package ${packageName(spec)} is not available to functions (allowed: @lodestar/sdk, ${options.allowedPackages.join(', ')})` }] };
        }
        const resolved = await build.resolve(spec, { kind: args.kind, resolveDir: options.resolveDir });
        return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path };
      });
      build.onLoad({ filter: /.*/, namespace: BUNDLE_NS }, (args) => {
        if (args.path === WRAPPER_PATH) return { contents: wrapper, loader: 'js', resolveDir: options.resolveDir };
        const loader = LOADERS[posix.extname(args.path)] ?? 'js';
        return { contents: files.get(args.path) ?? '', loader, resolveDir: options.resolveDir };
      });
    },
  };
}

function describeBuildFailure(error: unknown): string {
  const messages = (error as { errors?: esbuild.Message[] }).errors;
  if (!Array.isArray(messages) || messages.length === 0) return error instanceof Error ? error.message : String(error);
  return messages.slice(0, 5).map((m) => {
    const where = m.location === null ? '' : `${m.location.file.replace(`${BUNDLE_NS}:/`, '')}:${m.location.line}:${m.location.column}: `;
    return `${where}${m.text}`;
  }).join('; ') + (messages.length > 5 ? ` (and ${messages.length - 5} more)` : '');
}

/** One CommonJS file for the child's node, returned in memory (writeOutput makes it read-only). */
const SINGLE_CJS_FILE = { bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' } as const satisfies esbuild.BuildOptions;

async function writeOutput(result: esbuild.BuildResult, outFile: string): Promise<void> {
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  await mkdir(dirname(outFile), { recursive: true });
  // Write beside, then rename: a child starting meanwhile never reads half a file, and an older
  // read-only copy is replaced without needing write access to it.
  const partial = `${outFile}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
  await writeFile(partial, output.text, { mode: 0o444 });
  await rename(partial, outFile);
}

/** Builds the bundle into `outFile` (one CommonJS file exporting lodestarExecutor). */
export async function buildBundle(source: BundleSource, options: BundleBuildOptions, outFile: string): Promise<void> {
  if (!Object.hasOwn(source.files, source.entry)) {
    throw new SandboxError(SandboxErrorCode.BundleBuildFailed, `the bundle has no entry file ${source.entry}`);
  }
  let result: esbuild.BuildResult;
  try {
    result = await esbuild.build({
      ...SINGLE_CJS_FILE,
      entryPoints: ['lodestar:wrapper'],
      outfile: outFile,
      legalComments: 'none',
      plugins: [bundlePlugin(source, options)],
    });
  } catch (error) {
    throw new SandboxError(SandboxErrorCode.BundleBuildFailed, `bundle build failed: ${describeBuildFailure(error)}`, { cause: error });
  }
  await writeOutput(result, outFile);
}

const CHILD_ENTRY = fileURLToPath(new URL('./child/main.ts', import.meta.url));
const scriptBuilds = new Map<string, { done: Promise<void>; settled: boolean }>();

/**
 * Builds a node script from our own TypeScript (the child entry, or a test probe) into one
 * strict-mode CommonJS file, once per output path per process.
 */
export function buildNodeScript(entry: string, outFile: string): Promise<void> {
  const cached = scriptBuilds.get(outFile);
  // Rebuilt only if its directory has been removed since (a closed processor's work dir).
  if (cached !== undefined && (!cached.settled || existsSync(outFile))) return cached.done;
  const build = { settled: false, done: Promise.resolve() };
  build.done = esbuild.build({
    ...SINGLE_CJS_FILE,
    entryPoints: [entry],
    outfile: outFile,
    banner: { js: '"use strict";' },
  }).then((result) => writeOutput(result, outFile)).finally(() => { build.settled = true; });
  build.done.catch(() => scriptBuilds.delete(outFile));
  scriptBuilds.set(outFile, build);
  return build.done;
}

/** Builds the sandbox child's entry into `outFile`. */
export function buildChildScript(outFile: string): Promise<void> {
  return buildNodeScript(CHILD_ENTRY, outFile);
}
