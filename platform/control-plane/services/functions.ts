// Function bundles: validated (manifest, size, entry point), content-addressed (an upload equal to
// the latest version is that version, so `lodestar apply` is idempotent) and versioned 1, 2, ...
import { createHash } from 'node:crypto';
import type { FunctionBundle, FunctionVersion } from '../schemas/index.ts';
import type { ControlStore } from '../store/index.ts';
import { ControlPlaneError, ErrorCode, notFound } from '../errors.ts';
import type { ErrorDetail } from '../errors.ts';
import type { FunctionVersionRecord, TenantRecord } from './records.ts';
import { guarded, keys, now } from './records.ts';

const EXTENSIONS = { typescript: /\.(ts|mts|js|mjs)$/, javascript: /\.(js|mjs)$/ } as const;
// A default export, either form. A regex, not a parser: the runtime loads the module for real.
const DEFAULT_EXPORT = /\bexport\s+default\b|\bexport\s*\{[^}]*\bas\s+default\b[^}]*\}/;

export function bundleDigest(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(files).sort()) hash.update(`${path}\0${files[path]}\0`);
  return hash.digest('hex');
}

export class FunctionService {
  readonly #store: ControlStore;

  constructor(store: ControlStore) {
    this.#store = store;
  }

  versions(tenant: string, name: string): FunctionVersionRecord[] {
    return this.#store.list<FunctionVersionRecord>(keys.functionVersions(tenant, name)).map((r) => r.value);
  }

  latest(tenant: string, name: string): FunctionVersionRecord | undefined {
    return this.versions(tenant, name).at(-1);
  }

  version(tenant: string, name: string, version: number): FunctionVersionRecord {
    const record = this.#store.get<FunctionVersionRecord>(keys.functionVersion(tenant, name, version));
    if (!record) throw notFound(`function ${name} version ${version}`);
    return record.value;
  }

  /** Returns the stored version and whether this upload created it. */
  async upload(tenant: TenantRecord, name: string, bundle: FunctionBundle): Promise<{ created: boolean; version: FunctionVersionRecord }> {
    const details: ErrorDetail[] = [];
    const { manifest, files } = bundle;
    if (manifest.name !== name) details.push({ path: 'body.manifest.name', message: `must be ${name}, the function in the URL` });
    const paths = Object.keys(files);
    if (paths.length === 0 || paths.length > 200) details.push({ path: 'body.files', message: 'a bundle holds 1 to 200 files' });
    const entry = files[manifest.entry];
    if (entry === undefined) details.push({ path: 'body.manifest.entry', message: `${manifest.entry} is not among the files` });
    else if (!DEFAULT_EXPORT.test(entry)) details.push({ path: `body.files.${manifest.entry}`, message: 'the entry point has no default export' });
    if (!EXTENSIONS[manifest.language].test(manifest.entry)) details.push({ path: 'body.manifest.entry', message: `not a ${manifest.language} module` });
    const sizeBytes = Object.entries(files).reduce((n, [p, c]) => n + Buffer.byteLength(p) + Buffer.byteLength(c), 0);
    if (sizeBytes > tenant.quotas.maxBundleBytes) details.push({ path: 'body.files', message: `${sizeBytes} bytes, more than maxBundleBytes ${tenant.quotas.maxBundleBytes}` });
    if (details.length > 0) throw new ControlPlaneError(ErrorCode.INVALID_BUNDLE, details.map((d) => d.message).join('; '), { details });

    const sha256 = bundleDigest(files);
    const latest = this.latest(tenant.id, name);
    if (latest && latest.sha256 === sha256 && JSON.stringify(latest.manifest) === JSON.stringify(manifest)) return { created: false, version: latest };
    const version = (latest?.version ?? 0) + 1;
    const record: FunctionVersionRecord = { tenant: tenant.id, name, version, manifest, content: files, sha256, sizeBytes, createdAt: now() };
    await guarded(() => this.#store.put(keys.functionVersion(tenant.id, name, version), record, 0), `function ${name} version ${version}`);
    return { created: true, version: record };
  }

  names(tenant: string): string[] {
    return [...new Set(this.#store.list<FunctionVersionRecord>(keys.functionVersions(tenant)).map((r) => r.value.name))];
  }
}

export function versionView(r: FunctionVersionRecord): FunctionVersion {
  return { tenant: r.tenant, name: r.name, version: r.version, manifest: r.manifest, sha256: r.sha256, sizeBytes: r.sizeBytes, files: Object.keys(r.content).sort(), createdAt: r.createdAt };
}
