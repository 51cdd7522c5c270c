import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('config', () => {
  it('parses the environment once into a frozen config with documented defaults', () => {
    const config = parseConfig({ LODESTAR_CP_PORT: '9000' }, { stateDir: '/tmp/state', adminTokenFile: '/tmp/token' });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 9000, store: 'pulsar', stateDir: '/tmp/state', adminTokenFile: '/tmp/token', reconcileIntervalMs: 5000 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every variable it cannot use', () => {
    expect(() => parseConfig({ LODESTAR_CP_PORT: 'http', LODESTAR_CP_STORE: 'redis' }, { stateDir: '.' })).toThrow(/LODESTAR_CP_PORT.*LODESTAR_CP_STORE|LODESTAR_CP_STORE.*LODESTAR_CP_PORT/);
  });
});
