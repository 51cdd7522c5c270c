// Topic names of a pipeline, derived from its spec the way the control plane provisions them
// (platform/control-plane/provisioning/plan.ts: `persistent://<tenant>/<pipeline>/<topic>`, and a
// changelog `<input>-changelog` per input with the input's partition count). The runtime may not
// import the control plane, so the rule is restated here; it belongs in a shared package.
import type { RuntimePipeline } from './pipeline.ts';

export const CHANGELOG_SUFFIX = '-changelog';

export function pipelineTopic(pipeline: RuntimePipeline, topic: string): string {
  return `persistent://${pipeline.tenant}/${pipeline.spec.name}/${topic}`;
}

export function changelogTopic(pipeline: RuntimePipeline, input: string): string {
  return pipelineTopic(pipeline, `${input}${CHANGELOG_SUFFIX}`);
}

export function partitionTopic(topic: string, partition: number): string {
  return `${topic}-partition-${partition}`;
}

/** The Failover subscription all workers of a pipeline share. */
export function subscriptionName(pipeline: RuntimePipeline): string {
  return `lodestar-${pipeline.spec.name}`;
}

/** Redis keys of a pipeline share one hash tag, hence one Redis Cluster slot (DESIGN.md, "Scale"). */
export function redisTag(pipeline: RuntimePipeline): string {
  return `{${pipeline.tenant}:${pipeline.spec.name}}`;
}
