import { describe, expect, it } from 'vitest';
import { PipelineSpec } from './pipeline.ts';

const spec = (output: string) => ({
  name: 'main', activeRegion: 'east',
  inputs: [{ name: 'events', partitions: 2, schema: { type: 'bytes' } }],
  functions: [{ name: 'count' }],
  outputs: [{ name: output, partitions: 1 }],
  deadLetter: { name: 'dead-letter', partitions: 1 },
  slos: {},
});

describe('PipelineSpec', () => {
  it('reserves the -changelog suffix for the runtime\'s state topics', () => {
    expect(PipelineSpec.safeParse(spec('results')).success).toBe(true);
    const refused = PipelineSpec.safeParse(spec('events-changelog'));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['outputs', 0, 'name']);
    expect(refused.error?.issues[0]?.message).toMatch(/reserved/);
  });
});
