// The Redis view's Lua scripts on the real Redis: a key's state never moves to an older
// changelog position, and a missing restore mark is set again only by a whole-partition write.
import { afterAll, describe, expect, it } from 'vitest';
import { MessageId } from '../../platform/pulsar/index.ts';
import { positionOf } from '../../platform/runtime/index.ts';
import { defineViewScripts, viewMulti } from '../../platform/runtime/state/redis-scripts.ts';
import { uniqueName } from '../helpers/index.ts';
import { info, redisFor } from './support/pipeline-fixture.ts';

const redis = redisFor();
defineViewScripts(redis);
afterAll(() => redis.disconnect());
const at = (ledger: bigint, entry: bigint) => positionOf(new MessageId(ledger, entry));

describe.runIf(info.mode === 'local')('redis view scripts (real Redis)', () => {
  it('setIfNewer keeps the newest position per key', async () => {
    const tag = `{${uniqueName('t')}}`;
    const write = async (pos: string, value: string) => (await viewMulti(redis).setIfNewer(`${tag}:s`, `${tag}:keys`, pos, value, 'f:k').exec())![0]![1];
    expect(await write(at(7n, 2n), '"new"')).toBe(1);
    expect(await write(at(7n, 1n), '"old"')).toBe(0);
    expect(await write(at(6n, 900n), '"older ledger"')).toBe(0);
    expect(await redis.hget(`${tag}:s`, 'value')).toBe('"new"');
    expect(await write(at(8n, 0n), '"next ledger"')).toBe(1);
    expect(await redis.smembers(`${tag}:keys`)).toEqual(['f:k']);
  });

  it('advanceMark refuses a missing mark unless the whole partition was written, and never lowers it', async () => {
    const mark = `{${uniqueName('t')}}:mark`;
    const advance = async (pos: string, whole: '0' | '1') => (await viewMulti(redis).advanceMark(mark, pos, whole).exec())![0]![1];
    expect(await advance(at(5n, 5n), '0')).toBe(-1);
    expect(await redis.get(mark)).toBeNull();
    expect(await advance(at(5n, 5n), '1')).toBe(1);
    expect(await advance(at(5n, 4n), '0')).toBe(0);
    expect(await advance(at(5n, 6n), '0')).toBe(1);
    expect(await redis.get(mark)).toBe(at(5n, 6n));
  });
});
