// `lodestar apply tenants/<tenant>`: makes the control plane hold what the directory says, through
// the public API only. It first shows what will change (+ create, ~ change, = unchanged), then
// applies it; a second run shows nothing to do. Pipelines on the server but not in the directory
// are reported and left alone. Functions used without a pinned version run their newest bundle.
import type { PipelineSpec, SpecChange } from '../schemas/index.ts';
import { bundleDigest, diffSpecs } from '../services/index.ts';
import type { TenantDir } from './tenant-dir.ts';

export interface ApplyOptions {
  url: string;
  token: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface ApplyResult {
  changes: number;
  lines: string[];
}

class ApiError extends Error {
  constructor(readonly status: number, readonly body: string, what: string) {
    super(`${what}: HTTP ${status} ${body}`);
  }
}

function client(url: string, token: string) {
  return async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400 && response.status !== 404) throw new ApiError(response.status, text, `${method} ${path}`);
    return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
  };
}

const describe = (changes: SpecChange[]): string =>
  changes.map((c) => (c.kind === 'changed' ? `${c.path}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}` : `${c.kind === 'added' ? '+' : '-'}${c.path}`)).join(', ');

interface Tenant { version: number; displayName?: string; quotas: Record<string, number>; regions: string[] }
interface FunctionSummary { latest: number; versions: { version: number; sha256: string; manifest: unknown }[] }
interface Pipeline { version: number; spec: PipelineSpec; deployments: Record<string, { active: number | null }>; changes?: SpecChange[] }

export async function applyTenantDir(spec: TenantDir, options: ApplyOptions): Promise<ApplyResult> {
  const api = client(options.url.replace(/\/$/, ''), options.token);
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    options.log?.(line);
  };
  let changes = 0;
  const dry = options.dryRun === true;
  const id = spec.tenant.id;
  const t = `/v1/tenants/${id}`;

  // Tenant
  const current = await api<Tenant>('GET', t);
  if (current.status === 404) {
    changes++;
    say(`+ tenant ${id}`);
    if (!dry) await api('POST', '/v1/tenants', spec.tenant);
  } else {
    const want = { displayName: spec.tenant.displayName, quotas: spec.tenant.quotas };
    const diff = diffSpecs({ displayName: current.json.displayName, quotas: current.json.quotas }, want).filter((c) => !(c.path === 'displayName' && c.to === undefined));
    if (spec.tenant.regions && diffSpecs([...current.json.regions].sort(), [...spec.tenant.regions].sort()).length > 0) {
      say(`! tenant ${id}: regions differ (${current.json.regions.join(',')} on the server); regions cannot be changed by apply`);
    }
    if (diff.length === 0) say(`= tenant ${id}`);
    else {
      changes++;
      say(`~ tenant ${id}: ${describe(diff)}`);
      if (!dry) await api('PATCH', t, { ...(want.displayName ? { displayName: want.displayName } : {}), quotas: want.quotas }, { 'if-match': `"${current.json.version}"` });
    }
  }

  // Functions: upload when the content differs from the newest version.
  const latest = new Map<string, number>();
  for (const bundle of spec.functions) {
    const name = bundle.manifest.name;
    const summary = current.status === 404 ? undefined : await api<FunctionSummary>('GET', `${t}/functions/${name}`);
    const newest = summary?.status === 200 ? summary.json.versions.at(-1) : undefined;
    if (newest && newest.sha256 === bundleDigest(bundle.files) && JSON.stringify(newest.manifest) === JSON.stringify(bundle.manifest)) {
      latest.set(name, newest.version);
      say(`= function ${name} v${newest.version}`);
      continue;
    }
    changes++;
    const next = (newest?.version ?? 0) + 1;
    say(`+ function ${name} v${next}`);
    if (!dry) latest.set(name, (await api<{ version: number }>('POST', `${t}/functions/${name}/versions`, bundle)).json.version);
  }

  // Pipelines
  const names = new Set(spec.pipelines.map((p) => p.name));
  for (const pipeline of spec.pipelines) {
    const url = `${t}/pipelines/${pipeline.name}`;
    const existing = current.status === 404 ? undefined : await api<Pipeline>('GET', url);
    if (!existing || existing.status === 404) {
      changes++;
      say(`+ pipeline ${pipeline.name}`);
      if (!dry) await api('POST', `${t}/pipelines`, pipeline);
      continue;
    }
    let version = existing.json.version;
    const diff = diffSpecs(existing.json.spec, pipeline);
    if (diff.length === 0) say(`= pipeline ${pipeline.name}`);
    else {
      changes++;
      say(`~ pipeline ${pipeline.name}: ${describe(diff)}`);
      if (!dry) version = (await api<Pipeline>('PUT', url, pipeline, { 'if-match': `"${version}"` })).json.version;
    }
    for (const f of pipeline.functions) {
      const want = f.version ?? latest.get(f.name);
      const active = existing.json.deployments[f.name]?.active;
      if (want === undefined || f.version !== undefined || active === want) continue;
      changes++;
      say(`~ pipeline ${pipeline.name}: function ${f.name} v${active ?? '-'} → v${want}`);
      if (!dry) version = (await api<Pipeline>('PUT', `${url}/functions/${f.name}/active`, { version: want }, { 'if-match': `"${version}"` })).json.version;
    }
  }
  if (current.status !== 404) {
    const server = await api<{ items: { name: string }[] }>('GET', `${t}/pipelines`);
    for (const p of server.json.items) if (!names.has(p.name)) say(`! pipeline ${p.name} exists on the server but not in ${spec.dir} (left alone)`);
  }
  say(changes === 0 ? 'no changes' : dry ? `${changes} change(s) to apply (dry run: nothing written)` : `${changes} change(s) applied`);
  return { changes, lines };
}
