// A tenant as files (tenants/<tenant>/): tenant.json (TenantSpec), pipelines/*.json
// (PipelineSpec), and function bundles: functions.json naming shared bundle directories (the
// repository's functions/<name>, relative to the tenant directory), and/or the tenant's own
// functions/<name>/. A bundle directory is manifest.json (FunctionManifest) beside the bundle's
// files; its tests (*.test.ts) stay behind. Parsed with the same zod schemas the API serves, so a
// spec that loads here is one the API takes.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { FunctionBundle, PipelineSpec, TenantSpec } from '../schemas/index.ts';
import { FunctionManifest, PipelineSpec as PipelineSchema, TenantSpec as TenantSchema } from '../schemas/index.ts';

export interface TenantDir {
  dir: string;
  tenant: TenantSpec;
  functions: FunctionBundle[];
  pipelines: PipelineSpec[];
}

export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

async function exists(p: string): Promise<boolean> {
  return readdir(p).then(() => true, () => false);
}

/** functions.json: function name -> its bundle directory, relative to the tenant directory. */
const FunctionRefs = z.record(z.string(), z.string().min(1));

/** Files beside a function that are for its authors, not its bundle. */
const NOT_BUNDLED = /\.test\.[cm]?[jt]s$/;

async function files(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? files(root, path.join(dir, e.name)) : [path.relative(root, path.join(dir, e.name))])));
  return nested.flat().sort();
}

export async function loadTenantDir(dir: string): Promise<TenantDir> {
  const problems: string[] = [];
  const parse = async <S extends z.ZodType>(schema: S, file: string): Promise<z.infer<S> | undefined> => {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      return undefined;
    }
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const where = [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys : [])].join('.');
      problems.push(`${file}: ${where || '(root)'}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`);
    }
    return undefined;
  };

  const tenant = await parse(TenantSchema, path.join(dir, 'tenant.json'));
  const functions: FunctionBundle[] = [];
  const loadBundle = async (root: string, name: string) => {
    const manifest = await parse(FunctionManifest, path.join(root, 'manifest.json'));
    if (!manifest) return;
    if (manifest.name !== name) problems.push(`${root}/manifest.json: name: must be ${name}, the name the tenant uses`);
    if (functions.some((b) => b.manifest.name === name)) problems.push(`${root}: function ${name} is defined twice`);
    const content: Record<string, string> = {};
    for (const file of await files(root)) {
      if (file !== 'manifest.json' && !NOT_BUNDLED.test(file)) content[file.split(path.sep).join('/')] = await readFile(path.join(root, file), 'utf8');
    }
    functions.push({ manifest, files: content });
  };
  const functionsDir = path.join(dir, 'functions');
  if (await exists(functionsDir)) {
    for (const name of (await readdir(functionsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()) await loadBundle(path.join(functionsDir, name), name);
  }
  const refsFile = path.join(dir, 'functions.json');
  const refs = (await readFile(refsFile).then(() => true, () => false)) ? await parse(FunctionRefs, refsFile) : undefined;
  for (const [name, ref] of Object.entries(refs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const root = path.resolve(dir, ref);
    if (await exists(root)) await loadBundle(root, name);
    else problems.push(`${refsFile}: ${name}: ${ref} is not a directory`);
  }
  functions.sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
  const pipelines: PipelineSpec[] = [];
  const pipelinesDir = path.join(dir, 'pipelines');
  if (await exists(pipelinesDir)) {
    for (const file of (await readdir(pipelinesDir)).filter((f) => f.endsWith('.json')).sort()) {
      const spec = await parse(PipelineSchema, path.join(pipelinesDir, file));
      if (!spec) continue;
      if (`${spec.name}.json` !== file) problems.push(`${pipelinesDir}/${file}: name: must be ${file.replace(/\.json$/, '')}, the file name`);
      for (const f of spec.functions) if (!functions.some((b) => b.manifest.name === f.name)) problems.push(`${pipelinesDir}/${file}: functions: ${f.name} has no bundle (neither in functions.json nor under functions/)`);
      pipelines.push(spec);
    }
  }
  if (problems.length > 0 || !tenant) throw new SpecError(problems);
  if (tenant.id !== path.basename(path.resolve(dir))) throw new SpecError([`${dir}/tenant.json: id: must be ${path.basename(path.resolve(dir))}, the directory name`]);
  return { dir, tenant, functions, pipelines };
}
