import { describe, expect, it } from 'vitest';
import { parseWorkerConfig } from './config.ts';
import { RuntimeError } from './errors.ts';

const base = { LODESTAR_WORKER_PIPELINES_FILE: 'p.json', LODESTAR_WORKER_PROCESSORS_MODULE: 'm.ts' };

describe('worker configuration', () => {
  it('takes flags over variables and fills defaults', () => {
    const c = parseWorkerConfig({ ...base, LODESTAR_WORKER_REGION: 'west', LODESTAR_WORKER_PORT: '9000' }, ['--region', 'east']);
    expect(c.region).toBe('east');
    expect(c.port).toBe(9000);
    expect(c.loop.batchMaxMessages).toBe(500);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names what is wrong', () => {
    expect(() => parseWorkerConfig(base)).toThrow(/LODESTAR_WORKER_REGION/);
    expect(() => parseWorkerConfig({ ...base, LODESTAR_WORKER_REGION: 'east', LODESTAR_WORKER_TXN_TIMEOUT_MS: '5' })).toThrow(/LODESTAR_WORKER_TXN_TIMEOUT_MS/);
    expect(() => parseWorkerConfig({ ...base, LODESTAR_WORKER_REGION: 'east' }, ['--nope', 'x'])).toThrow(RuntimeError);
  });
});
