// The view's Lua scripts, kept as files (lua/) and registered on an ioredis connection as
// commands, so they run by EVALSHA inside pipelines and MULTIs.
import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';

const script = (name: string): string => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');

export interface ViewCommands {
  setIfNewer(stateKey: string, keySet: string, position: string, json: string, member: string): ChainableCommander;
  advanceMark(mark: string, position: string, whole: '0' | '1'): ChainableCommander;
}

export function defineViewScripts(redis: Redis): void {
  redis.defineCommand('setIfNewer', { numberOfKeys: 2, lua: script('set-if-newer') });
  redis.defineCommand('advanceMark', { numberOfKeys: 1, lua: script('advance-mark') });
}

/** A MULTI of the connection, typed with the view's script commands. */
export function viewMulti(redis: Redis): ChainableCommander & ViewCommands {
  return redis.multi() as ChainableCommander & ViewCommands;
}
