import { describe, expect, it } from 'vitest';
import { externalStackInfo, isExternalMode, loadStackInfo } from './registry.ts';

describe('external mode', () => {
  const env = {
    LODESTAR_REGIONS: 'east, eu-west',
    LODESTAR_EAST_BROKER_URL: 'pulsar://a:6650',
    LODESTAR_EAST_WEB_URL: 'http://a:8080',
    LODESTAR_EAST_REDIS_URL: 'redis://a:6379',
    LODESTAR_EU_WEST_BROKER_URL: 'pulsar://b:6650',
    LODESTAR_EU_WEST_WEB_URL: 'http://b:8080',
    LODESTAR_EU_WEST_REDIS_URL: 'redis://b:6379',
    LODESTAR_SUPERUSER_TOKEN_FILE: '/secrets/token',
  };

  it('describes the regions from the environment', () => {
    expect(isExternalMode(env)).toBe(true);
    const info = loadStackInfo(env);
    expect(info.mode).toBe('external');
    expect(info.regions.map((r) => [r.name, r.brokerUrl, r.webUrl, r.redisUrl])).toEqual([
      ['east', 'pulsar://a:6650', 'http://a:8080', 'redis://a:6379'],
      ['eu-west', 'pulsar://b:6650', 'http://b:8080', 'redis://b:6379'],
    ]);
    expect(info.superuserRole).toBe('lodestar-admin');
  });

  it('names the missing variable', () => {
    const { LODESTAR_EU_WEST_WEB_URL: _dropped, ...partial } = env;
    expect(() => externalStackInfo(partial)).toThrow(/LODESTAR_EU_WEST_WEB_URL is not set/);
  });

  it('is off when LODESTAR_REGIONS is empty', () => {
    expect(isExternalMode({ LODESTAR_REGIONS: ' ' })).toBe(false);
  });
});
