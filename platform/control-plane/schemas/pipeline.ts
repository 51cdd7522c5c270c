// A pipeline is declarative: what it reads, which functions run in which order, where results,
// decisions, audit records and bad input go, its SLOs, its active region and optional quotas
// (at most the tenant's). Topic names are local to the pipeline's namespace `<tenant>/<pipeline>`.
import { z } from 'zod';
import { Provisioning, RegionName, ResourceName, Timestamp, Version } from './common.ts';
import { checkQuotas, TenantQuotas } from './tenant.ts';

const Partitions = z.number().int().min(1).max(256).default(1);

/** The runtime provisions `<input>-changelog` beside each input (provisioning/plan.ts), so no declared topic may end so. */
export const CHANGELOG_SUFFIX = '-changelog';

export const TopicSpec = z.strictObject({ name: ResourceName, partitions: Partitions }).meta({ id: 'TopicSpec' });
export type TopicSpec = z.infer<typeof TopicSpec>;

export const EventSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('json'),
      jsonSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of each event'),
    }),
    z.strictObject({
      type: z.literal('protobuf'),
      proto: z.string().min(1).max(65_536).describe('.proto source'),
      messageType: z.string().regex(/^[A-Za-z_][\w.]*$/).describe('fully qualified message name'),
    }),
    z.strictObject({ type: z.literal('bytes') }),
  ])
  .meta({ id: 'EventSchema' });

export const InputTopicSpec = TopicSpec.extend({ schema: EventSchema.default({ type: 'bytes' }).describe('left out: bytes (no schema)') }).meta({ id: 'InputTopicSpec' });

export const FunctionRef = z
  .strictObject({
    name: ResourceName,
    version: z.number().int().min(1).optional().describe('pin this bundle version; else the latest when the pipeline is created'),
    config: z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()])).optional(),
  })
  .meta({ id: 'FunctionRef' });

export const Slos = z
  .strictObject({
    latencyP99Ms: z.number().positive().max(3_600_000).optional(),
    freshnessSeconds: z.number().positive().max(86_400).optional(),
    errorRatePercent: z.number().min(0).max(100).optional(),
    availabilityPercent: z.number().min(0).max(100).optional(),
  })
  .meta({ id: 'Slos' });

export const PipelineQuotas = TenantQuotas.pick({
  maxPartitionsPerTopic: true,
  publishRateMsgPerSec: true,
  publishRateBytesPerSec: true,
  dispatchRateMsgPerSec: true,
  dispatchRateBytesPerSec: true,
  retentionMinutes: true,
  retentionSizeMb: true,
  backlogQuotaMb: true,
  messageTtlSeconds: true,
})
  .partial()
  .meta({ id: 'PipelineQuotas' });
export type PipelineQuotas = z.infer<typeof PipelineQuotas>;

export const PipelineSpec = z
  .strictObject({
    name: ResourceName,
    description: z.string().max(500).optional(),
    activeRegion: RegionName,
    inputs: z.array(InputTopicSpec).min(1).max(16),
    functions: z.array(FunctionRef).min(1).max(16).describe('run in this order'),
    outputs: z.array(TopicSpec).max(16).default([]),
    decisions: TopicSpec.optional(),
    audit: TopicSpec.optional(),
    deadLetter: TopicSpec.default({ name: 'dead-letter', partitions: 1 }).describe('where bad input goes'),
    slos: Slos.default({}),
    quotas: PipelineQuotas.optional(),
  })
  .superRefine((spec, ctx) => {
    // `<tenant>/default` is the tenant-wide namespace (provisioning/plan.ts).
    if (spec.name === 'default') ctx.addIssue({ code: 'custom', path: ['name'], message: 'default is reserved' });
    const seen = new Map<string, string>();
    const topic = (t: { name: string }, path: PropertyKey[]): void => {
      if (t.name.endsWith(CHANGELOG_SUFFIX)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `names ending in ${CHANGELOG_SUFFIX} are reserved for the runtime's state changelogs` });
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `topic ${t.name} is already used by ${seen.get(t.name)}` });
      else seen.set(t.name, path.join('.'));
    };
    spec.inputs.forEach((t, i) => topic(t, ['inputs', i]));
    spec.outputs.forEach((t, i) => topic(t, ['outputs', i]));
    for (const key of ['decisions', 'audit', 'deadLetter'] as const) if (spec[key]) topic(spec[key], [key]);
    const names = new Set<string>();
    spec.functions.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['functions', i, 'name'], message: `function ${f.name} is listed twice` });
      names.add(f.name);
    });
    if (spec.quotas) checkQuotas(spec.quotas, ctx, ['quotas']);
  })
  .meta({ id: 'PipelineSpec' });
export type PipelineSpec = z.infer<typeof PipelineSpec>;

/** Every topic a pipeline owns, inputs first. */
export function pipelineTopics(spec: PipelineSpec): TopicSpec[] {
  return [...spec.inputs, ...spec.outputs, spec.decisions, spec.audit, spec.deadLetter].filter((t): t is TopicSpec => t !== undefined).map(({ name, partitions }) => ({ name, partitions }));
}

export const FunctionDeployment = z.strictObject({
  active: z.number().int().min(1).nullable().describe('the bundle version that runs; null until one is uploaded'),
  history: z.array(z.number().int().min(1)).describe('earlier active versions, most recent last (rollback pops it)'),
});

export const Pipeline = z
  .strictObject({
    tenant: z.string(),
    name: ResourceName,
    spec: PipelineSpec,
    deployments: z.record(ResourceName, FunctionDeployment),
    version: Version,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    provisioning: Provisioning,
  })
  .meta({ id: 'Pipeline' });
export type Pipeline = z.infer<typeof Pipeline>;

export const SpecChange = z.strictObject({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  from: z.unknown().optional(),
  to: z.unknown().optional(),
});
export type SpecChange = z.infer<typeof SpecChange>;

export const PipelineWriteResult = Pipeline.extend({
  changes: z.array(SpecChange).describe('what this write changed in the spec (empty when nothing)'),
  dryRun: z.boolean(),
}).meta({ id: 'PipelineWriteResult' });

export const DryRunQuery = z.strictObject({
  dryRun: z.enum(['true', 'false']).optional().describe('true: validate and show the changes, write nothing'),
});

export const ActivateBody = z.strictObject({ version: z.number().int().min(1) }).meta({ id: 'ActivateFunction' });
export const RollbackBody = z.strictObject({ toVersion: z.number().int().min(1).optional() }).meta({ id: 'RollbackFunction' });
