// Reads a function version's code into the control plane's FunctionBundle shape `{ entry, files }`:
// from a folder (manifest.json names the entry; its sources, tests left out), or as given inline.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RuntimeError, RuntimeErrorCode } from './errors.ts';
import type { FunctionBundleRef } from './pipeline.ts';

export interface FunctionBundle { entry: string; files: Record<string, string> }

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
// Tests import test runners and the harness, which the sandbox would refuse; they are not the function.
const NOT_SHIPPED = /\.test\.[cm]?[jt]s$/;

function sourceFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(root, relative);
    return SOURCE.test(entry.name) && !NOT_SHIPPED.test(entry.name) ? [relative] : [];
  });
}

export function readBundleFolder(folder: string): FunctionBundle {
  try {
    const manifest = JSON.parse(readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as { entry?: unknown };
    if (typeof manifest.entry !== 'string' || manifest.entry === '') throw new Error('manifest.json has no entry');
    const files = Object.fromEntries(sourceFiles(folder).map((file) => [file, readFileSync(path.join(folder, file), 'utf8')]));
    if (!(manifest.entry in files)) throw new Error(`the entry ${manifest.entry} is not a file of the folder`);
    return { entry: manifest.entry, files };
  } catch (err) {
    throw new RuntimeError(RuntimeErrorCode.InvalidPipeline, `function bundle ${folder}: ${(err as Error).message}`, { cause: err });
  }
}

/** The bundle a pipeline names; a folder is relative to `baseDir` (the pipelines file's directory). */
export function resolveBundle(ref: FunctionBundleRef, baseDir: string): FunctionBundle {
  return typeof ref === 'string' ? readBundleFolder(path.resolve(baseDir, ref)) : ref;
}
